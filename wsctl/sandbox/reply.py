"""An HTTP answer of the sandbox: what the transport and the server send back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def __iter__(self) -> Iterator[Any]:  # status, headers, body = backend.handle(...)
        return iter((self.status, self.headers, self.body))
