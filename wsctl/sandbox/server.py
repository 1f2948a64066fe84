"""`wsctl sandbox serve`: the sandbox backend over HTTP, speaking AWS JSON 1.1.

For the AWS CLI, other SDKs and Terraform: `POST /` with `X-Amz-Target:
WorkspacesService.<Operation>` and a JSON body (AWS JSON 1.1), or `POST
/service/WorkspacesService/operation/<Operation>` with a CBOR body (Smithy RPC v2 CBOR,
which the model lists first); any signature is accepted. CloudWatch's GetMetricData and
GetMetricStatistics answer at the same address (see `cloudwatch`): AWS JSON 1.0 with
`X-Amz-Target: GraniteServiceVersion20100801.<Operation>`, or RPC v2 CBOR. One thread per
connection (stdlib `ThreadingHTTPServer`), one SQLite connection per thread, so
concurrent clients never lose or corrupt a write.

It refuses what HTTP/1.1 (RFC 9112) forbids rather than guessing: a body framed two ways
(Content-Length with Transfer-Encoding, or Content-Length values that disagree), a
malformed or negative chunk size, a Content-Length that is not digits. Those answer 400
and close the connection, since where the next request starts is unknown. Every answer,
errors of the HTTP layer included, has the AWS JSON error shape, and every log line is
escaped so that a request cannot write control characters to the terminal.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO

from wsctl.sandbox.backend import Backend, Reply, error_reply

MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_LINE_BYTES = 1024  # a chunk-size line or a trailer line
MAX_TRAILER_LINES = 64
# chunk-size [ chunk-ext ] (RFC 9112, 7.1): hex digits only, then optional ;-extensions.
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]+)(?:[ \t]*;[^\x00-\x08\x0a-\x1f\x7f]*)?")
_DIGITS = re.compile(r"[0-9]+")
# C0 controls, DEL and C1 controls: what a terminal may act on.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def printable(text: str) -> str:
    """`text` with control characters escaped (\\x1b), for a log line that goes to a terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class BadRequest(Exception):
    """A request whose framing HTTP forbids or that cannot be read: answered, then the connection closed."""

    def __init__(self, message: str, *, status: int = 400, code: str = "SerializationException") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


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
                self.log.write(printable(line) + "\n")
                self.log.flush()
            except (OSError, ValueError):
                pass


class SandboxRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the AWS CLI and SDKs reuse connections
    # The version assumed until the request line is read: an unreadable request line still
    # gets a status line and headers (HTTP/0.9, the base class's default, has neither).
    default_request_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK of the headers: 40 ms a request.
    disable_nagle_algorithm = True
    # A client that sends half a request and stalls must not hold a thread forever.
    timeout = 60
    server: SandboxHTTPServer
    server_version = "wsctl-sandbox"

    def do_POST(self) -> None:  # noqa: N802 - the name BaseHTTPRequestHandler looks for
        started = time.monotonic()
        target = self.headers.get("X-Amz-Target") or ""  # WorkspacesService.<Op> or GraniteServiceVersion20100801.<Op>
        operation = target.rpartition(".")[2] or self.path.rsplit("/", 1)[-1]
        try:
            body = self._read_body()
        except BadRequest as exc:
            self.close_connection = True
            self._send(error_reply(exc.code, str(exc), exc.status), operation, started)
            return
        try:
            answer = self.server.backend.handle_request(self.path, dict(self.headers.items()), body)
        except Exception as exc:  # noqa: BLE001 - a bug must answer 500, not kill the connection
            answer = error_reply("InternalFailure", f"sandbox internal error: {type(exc).__name__}: {exc}", 500)
        self._send(answer, operation, started)

    def _not_post(self) -> None:
        """Every method but POST: no operation answers to it.

        AWS's JSON endpoints route on POST and X-Amz-Target (or, for RPC v2 CBOR, POST to the
        operation's path); for anything else there is no operation, so the answer is the
        service's UnknownOperationException in its JSON error shape. The status is 404, not
        the 400 of a POST naming an unknown operation: no resource answers this method at
        this path, which is what 404 says (and what AWS's front ends answer a GET with);
        botocore and the SDKs go by `__type`, whatever the status. `Allow` says what would work.
        """
        started = time.monotonic()
        self.close_connection = True  # any body it came with is not read
        answer = error_reply(
            "UnknownOperationException",
            f"The sandbox answers only POST requests (AWS JSON 1.1 or Smithy RPC v2 CBOR), not {self.command}.",
            404,
        )
        answer.headers["Allow"] = "POST"
        self._send(answer, self.command or "-", started)

    do_GET = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _not_post

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors BaseHTTPRequestHandler answers itself (a bad request line, an unknown method,
        oversized headers): in the AWS error shape too, not an HTML page."""
        if code == 501:  # "Unsupported method": a method with no do_ handler
            self._not_post()
            return
        self.close_connection = True
        self.log_error("code %d, message %s", code, message or "")
        short = self.responses.get(code, ("Error", ""))[0]
        error_type = "SerializationException" if code == 400 else "".join(short.title().split())
        self._send(error_reply(error_type, message or short, code), self.command or "-", time.monotonic())

    def _read_body(self) -> bytes:
        length = self._content_length()
        codings = [
            c.strip(" \t").lower()
            for value in self.headers.get_all("Transfer-Encoding") or ()
            for c in value.split(",")
        ]
        if codings:
            if length is not None:
                raise BadRequest("A request must not have both Content-Length and Transfer-Encoding (RFC 9112, 6.3).")
            if codings != ["chunked"]:
                raise BadRequest(
                    f"Transfer-Encoding {', '.join(codings)!r} is not supported; only chunked is.",
                    status=501,
                    code="NotImplemented",
                )
            return self._read_chunked()
        if length is None:
            return b""
        if length > MAX_BODY_BYTES:
            raise BadRequest(f"A request body of {length} bytes is not accepted (at most {MAX_BODY_BYTES}).")
        data = self.rfile.read(length)
        if len(data) != length:
            raise BadRequest("The request body ended before Content-Length bytes were read.")
        return data

    def _content_length(self) -> int | None:
        """Content-Length: digits only; several headers or a list only if they all agree (RFC 9112, 6.3)."""
        raw = self.headers.get_all("Content-Length")
        if not raw:
            return None
        values = [part.strip(" \t") for value in raw for part in value.split(",")]
        for value in values:
            if not _DIGITS.fullmatch(value):
                raise BadRequest(f"Content-Length {value!r} is not a number.")
        if len({int(v) for v in values}) > 1:
            raise BadRequest(f"Conflicting Content-Length headers: {', '.join(values)}.")
        return int(values[0])

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            match = _CHUNK_SIZE.fullmatch(self._line())
            if match is None:
                raise BadRequest("Malformed chunked request body: a chunk size must be hexadecimal digits.")
            size = int(match[1], 16)
            if size == 0:
                break
            total += size
            if total > MAX_BODY_BYTES:
                raise BadRequest(f"A request body over {MAX_BODY_BYTES} bytes is not accepted.")
            data = self.rfile.read(size)
            if len(data) != size:
                raise BadRequest("The request body ended inside a chunk.")
            parts.append(data)
            if self._line() != b"":
                raise BadRequest("Malformed chunked request body: a chunk is not followed by CRLF.")
        for _ in range(MAX_TRAILER_LINES):
            if self._line() == b"":
                return b"".join(parts)
        raise BadRequest(f"More than {MAX_TRAILER_LINES} trailer lines.")

    def _line(self) -> bytes:
        """One line of the chunked framing, without its CRLF (or bare LF); an error if too long or cut off."""
        line = self.rfile.readline(MAX_LINE_BYTES + 1)
        if not line.endswith(b"\n"):
            raise BadRequest(
                "The request body ended inside chunked framing."
                if len(line) <= MAX_LINE_BYTES
                else f"A line of chunked framing over {MAX_LINE_BYTES} bytes."
            )
        return line[:-2] if line.endswith(b"\r\n") else line[:-1]

    def _send(self, answer: Reply, operation: str, started: float) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
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
