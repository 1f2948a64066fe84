"""An endpoint that answers 5xx without an AWS error (an HTML page, 501): two retries, then one plain sentence."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from tests.helpers import wsctl


class _HtmlErrors(BaseHTTPRequestHandler):
    status = 500
    seen = 0

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        type(self).seen += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b"<!doctype html><html><title>500 Internal Server Error</title></html>"
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.parametrize(("status", "attempts"), [(500, 3), (501, 1)])  # 501 is never transient: no retry
def test_an_html_5xx_is_retried_at_most_twice_and_named_as_an_unsupported_operation(status, attempts):
    handler: type[_HtmlErrors] = type("Handler", (_HtmlErrors,), {"status": status, "seen": 0})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        run = wsctl("--endpoint-url", url, "--region", "us-east-1", "describe", "-o", "json")
    finally:
        server.shutdown()
        server.server_close()
    assert run.exit_code == 1
    assert handler.seen == attempts  # not the 12 attempts --max-attempts allows a transient error
    assert "does not support DescribeWorkspaces" in run.stderr
    assert "<html" not in run.stderr and run.stdout == ""
