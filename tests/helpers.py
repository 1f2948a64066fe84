"""Shared test helpers: run the real CLI in-process and read its streams apart."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from typer.testing import CliRunner

from wsctl.cli.app import app


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def wsctl(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Run:
    """Invoke `wsctl ARGS` in-process (CliRunner), stdout and stderr kept apart."""
    result = CliRunner().invoke(app, list(args), input=input, env=env, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def ids_of(items: Sequence[dict[str, Any]], key: str = "WorkspaceId") -> list[str]:
    return [item[key] for item in items]
