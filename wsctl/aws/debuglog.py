"""`--debug`: one line per API call and retry on stderr, never credentials or signatures.

We hook botocore's events instead of turning on botocore's own DEBUG logging, because that
logging prints request headers, and the Authorization header carries the signature.
Only the operation's parameters (which never hold credentials), the HTTP status, the
error code, the attempt number and timings are written.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any, TextIO

_MAX_PARAMS_CHARS = 4000


class CallLogger:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def _write(self, text: str) -> None:
        stream = self._stream or sys.stderr
        with self._lock:
            stream.write(f"debug: {text}\n")
            stream.flush()

    def register(self, events: Any, service: str = "workspaces") -> None:
        events.register(f"before-parameter-build.{service}", self.on_params)
        events.register(f"needs-retry.{service}", self.on_attempt)
        events.register(f"after-call.{service}", self.on_done)
        events.register(f"after-call-error.{service}", self.on_error)

    def on_attempt(
        self, response: Any = None, attempts: int = 0, caught_exception: Any = None, operation: Any = None, **_: Any
    ) -> None:
        name = getattr(operation, "name", "?")
        if caught_exception is not None:
            self._write(f"{name} attempt {attempts}: {type(caught_exception).__name__}: {caught_exception}")
        elif response is not None:
            http, parsed = response
            status = getattr(http, "status_code", "?")
            code = (parsed or {}).get("Error", {}).get("Code", "")
            if status != 200 or code:
                self._write(f"{name} attempt {attempts}: HTTP {status} {code}".rstrip())

    def on_done(
        self, http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        started = context.get("wsctl_started")
        took = f" in {time.monotonic() - started:.3f}s" if started else ""
        meta = parsed.get("ResponseMetadata", {})
        retries = meta.get("RetryAttempts", 0)
        code = parsed.get("Error", {}).get("Code", "")
        status = getattr(http_response, "status_code", "?")
        self._write(f"{model.name} -> HTTP {status}{' ' + code if code else ''}{took} (retries: {retries})")

    def on_params(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        context["wsctl_started"] = time.monotonic()
        context["wsctl_operation"] = model.name
        text = json.dumps(params, default=str, separators=(",", ":"))
        if len(text) > _MAX_PARAMS_CHARS:
            text = text[:_MAX_PARAMS_CHARS] + f"... ({len(text)} characters)"
        self._write(f"{model.name} {text}")

    def on_error(self, exception: BaseException, context: dict[str, Any], **_: Any) -> None:
        started = context.get("wsctl_started")
        took = f" after {time.monotonic() - started:.3f}s" if started else ""
        self._write(f"{context.get('wsctl_operation', '?')} -> {type(exception).__name__}{took}")
