"""`wsctl sandbox serve`: the sandbox backend over HTTP, speaking AWS JSON 1.1.

For the AWS CLI, other SDKs and Terraform: `POST /` with `X-Amz-Target:
WorkspacesService.<Operation>` and a JSON body (AWS JSON 1.1), or `POST
/service/WorkspacesService/operation/<Operation>` with a CBOR body (Smithy RPC v2 CBOR,
which the model lists first); any signature is accepted. One thread per
connection (stdlib `ThreadingHTTPServer`), one SQLite connection per thread, so
concurrent clients never lose or corrupt a write.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO

from wsctl.sandbox.backend import Backend, Reply, error_reply, operation_from_target, reply

MAX_BODY_BYTES = 16 * 1024 * 1024
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4599


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class BadRequest(Exception):
    pass


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a client's idle keep-alive connection must not delay shutdown
    allow_reuse_address = True
    # The default backlog of 5 makes a burst of connecting clients wait a second each for a
    # SYN retry; fleets of CLI processes connect in bursts.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-request is not worth a traceback on the server's stderr.
        import sys

        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            self.write_log(f"{client_address[0]} connection dropped: {type(error).__name__}")
            return
        super().handle_error(request, client_address)

    def __init__(self, host: str, port: int, backend: Backend, log: TextIO | None) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.backend = backend
        self.log = log
        self._log_lock = threading.Lock()
        super().__init__((host.strip("[]"), port), SandboxRequestHandler)

    @property
    def url(self) -> str:
        raw_host, port = self.server_address[0], self.server_address[1]
        host = raw_host.decode() if isinstance(raw_host, bytes) else raw_host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    def write_log(self, line: str) -> None:
        if self.log is None:
            return
        with self._log_lock:
            try:
                self.log.write(line + "\n")
                self.log.flush()
            except (OSError, ValueError):
                pass


class SandboxRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the AWS CLI and SDKs reuse connections
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK of the headers: 40 ms a request.
    disable_nagle_algorithm = True
    # A client that sends half a request and stalls must not hold a thread forever.
    timeout = 60
    server: SandboxHTTPServer
    server_version = "wsctl-sandbox"

    def do_POST(self) -> None:  # noqa: N802 - the name BaseHTTPRequestHandler looks for
        started = time.monotonic()
        operation = operation_from_target(self.headers.get("X-Amz-Target")) or self.path.rsplit("/", 1)[-1]
        try:
            body = self._read_body()
        except BadRequest as exc:
            self.close_connection = True
            self._send(error_reply("SerializationException", str(exc)), operation, started)
            return
        try:
            answer = self.server.backend.handle_request(self.path, dict(self.headers.items()), body)
        except Exception as exc:  # noqa: BLE001 - a bug must answer 500, not kill the connection
            answer = error_reply("InternalFailure", f"sandbox internal error: {type(exc).__name__}: {exc}", 500)
        self._send(answer, operation, started)

    def do_GET(self) -> None:  # noqa: N802
        started = time.monotonic()
        self._send(
            reply(200, {"service": "wsctl sandbox", "protocol": "AWS JSON 1.1: POST / with X-Amz-Target"}),
            "GET",
            started,
        )

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            return b""
        try:
            length = int(raw_length)
        except ValueError:
            raise BadRequest(f"Content-Length {raw_length!r} is not a number.") from None
        if length < 0 or length > MAX_BODY_BYTES:
            raise BadRequest(f"A request body of {length} bytes is not accepted (at most {MAX_BODY_BYTES}).")
        data = self.rfile.read(length)
        if len(data) != length:
            raise BadRequest("The request body ended before Content-Length bytes were read.")
        return data

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024).strip()
            try:
                size = int(line.split(b";", 1)[0], 16)
            except ValueError:
                raise BadRequest("Malformed chunked request body.") from None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(parts)
            total += size
            if total > MAX_BODY_BYTES:
                raise BadRequest(f"A request body over {MAX_BODY_BYTES} bytes is not accepted.")
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _send(self, answer: Reply, operation: str, started: float) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(answer.body)
        took = (time.monotonic() - started) * 1000
        code = answer.headers.get("x-amzn-ErrorType", "")
        self.server.write_log(
            f"{self.client_address[0]} {operation or '-'} {answer.status}{' ' + code if code else ''} {took:.1f}ms"
        )

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        # Protocol errors the base class reports (bad request line, ...); answers log in _send.
        self.server.write_log(f"{self.client_address[0]} {format % args}")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def make_server(
    host: str, port: int, backend: Backend | None = None, *, log: TextIO | None = None
) -> SandboxHTTPServer:
    """A bound server (not yet serving); `log` gets one line per request."""
    return SandboxHTTPServer(host, port, backend or Backend(), log)
