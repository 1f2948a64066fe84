"""Attaches the sandbox to a botocore client at the transport: botocore's `before-send` event.

botocore serialises and signs the request as for AWS, then emits `before-send`; the first
handler that returns a response replaces the HTTP call. So botocore's serializer, retry
logic (throttling, HTTP 500) and parser run on every call exactly as they do against AWS.
No server and no thread: the backend runs in the calling thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders

from wsctl.sandbox.backend import Backend


class _Body:
    """The `raw` of an AWSResponse: botocore reads it through `stream()`."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data

    def read(self, *_: Any, **__: Any) -> bytes:
        return self._data


def attach(client: Any) -> None:
    """Answer every call of `client` (WorkSpaces or CloudWatch) from the sandbox database (WSCTL_SANDBOX_DB)."""
    attach_backend(client, Backend())


def attach_backend(client: Any, backend: Backend) -> None:
    """Answer every call of `client` from `backend` (tests pass one with their own clock)."""

    def send(request: Any, **_: Any) -> AWSResponse:
        headers = {str(k): _text(v) for k, v in request.headers.items()}
        answer = backend.handle_request(urlsplit(request.url).path, headers, _bytes(request.body))
        response_headers = HTTPHeaders()
        for name, value in answer.headers.items():
            response_headers[name] = value
        return AWSResponse(request.url, answer.status, response_headers, _Body(answer.body))

    # The event carries the client's service (workspaces, cloudwatch); the backend tells them apart by the request.
    client.meta.events.register(f"before-send.{client.meta.service_model.service_id.hyphenize()}", send)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value or "")


def _bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if hasattr(body, "read"):  # a file-like body (never for JSON 1.1, but cheap to accept)
        data = body.read()
        return data if isinstance(data, bytes) else str(data).encode()
    return bytes(body)
