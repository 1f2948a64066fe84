"""Attaches the sandbox to a boto3 client at the transport (placeholder until the sandbox lands)."""

from __future__ import annotations

from typing import Any

from wsctl.errors import WsctlError


def attach(client: Any) -> None:
    raise WsctlError("the sandbox is not part of this build yet")
