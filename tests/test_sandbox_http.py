"""The sandbox server refuses what HTTP/1.1 forbids (RFC 9112), answers every method in AWS's error shape,
and keeps control characters out of its log.

An in-process server on 127.0.0.1 (a real socket, port 0); each request is raw bytes on a
socket of its own, read until the server closes it, within a few seconds: a server that
keeps waiting for a body it will never get fails the test instead of hanging it.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from wsctl.sandbox.server import SandboxHTTPServer, make_server

TARGET = b"X-Amz-Target: WorkspacesService.DescribeWorkspaces\r\n"
HEAD = b"POST / HTTP/1.1\r\nHost: sandbox\r\n" + TARGET


@pytest.fixture
def server() -> Iterator[tuple[SandboxHTTPServer, io.StringIO]]:
    log = io.StringIO()
    srv = make_server("127.0.0.1", 0, log=log)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv, log
    finally:
        srv.shutdown()
        srv.server_close()


def _closing_exchange(srv: SandboxHTTPServer, data: bytes, *, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    """Send `data`, read until the server closes the connection: (status, headers, body) of the one answer.

    Fails (socket.timeout) if the server keeps the connection open: after a framing error it must close.
    """
    with socket.create_connection(("127.0.0.1", srv.server_address[1]), timeout=timeout) as sock:
        sock.sendall(data)
        deadline = time.monotonic() + timeout
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
            assert time.monotonic() < deadline, "the server kept the connection open"
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def _error(srv: SandboxHTTPServer, data: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
    status, headers, body = _closing_exchange(srv, data)
    answer = json.loads(body)
    assert answer["message"] and headers["x-amzn-requestid"]
    assert headers["content-type"] == "application/x-amz-json-1.1"
    return status, answer, headers


def _healthy(srv: SandboxHTTPServer) -> None:
    status, _, body = _closing_exchange(srv, HEAD + b"Content-Length: 2\r\nConnection: close\r\n\r\n{}")
    assert (status, json.loads(body)) == (200, {"Workspaces": []})


# --- chunked bodies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "size_line",
    [
        pytest.param(b"-1", id="negative"),
        pytest.param(b"-0", id="negative-zero"),
        pytest.param(b"+2", id="plus-sign"),
        pytest.param(b"0x2", id="0x-prefix"),
        pytest.param(b"1_0", id="underscore"),
        pytest.param(b" 2", id="leading-space"),
        pytest.param(b"2 junk", id="junk-after"),
        pytest.param(b"", id="empty"),
        pytest.param(b"zz", id="not-hex"),
        pytest.param(b"f" * 2000, id="overlong-line"),
    ],
)
def test_a_malformed_chunk_size_is_400_and_closes(server, size_line):
    srv, _ = server
    # Today's int(line, 16) took "-1" for a size and then read to the end of the stream.
    status, answer, headers = _error(srv, HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + size_line + b"\r\n{}")
    assert (status, answer["__type"]) == (400, "SerializationException")
    assert headers["connection"] == "close"
    _healthy(srv)


def test_chunks_that_add_up_past_the_limit_are_refused_before_they_are_read(server):
    srv, _ = server
    data = HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"800000\r\n" + b"x" * 0x800000 + b"\r\n" + b"800001\r\n"
    status, answer, _ = _error(srv, data)
    assert status == 400 and "over 16777216 bytes" in answer["message"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"2\r\n{}XX0\r\n\r\n", id="chunk-without-crlf"),
        pytest.param(b"2\r\n{}\r\n0\r\n" + b"X-Trailer: 1\r\n" * 100 + b"\r\n", id="too-many-trailers"),
    ],
)
def test_broken_chunked_framing_is_400_and_closes(server, body):
    srv, _ = server
    status, answer, _ = _error(srv, HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + body)
    assert (status, answer["__type"]) == (400, "SerializationException")


def test_well_formed_chunked_bodies_still_work(server):
    srv, _ = server
    body = b'5;ext=1\r\n{"Lim\r\n9 ; x\r\nit": 2}  \r\n0\r\nX-Trailer: yes\r\n\r\n'
    status, _, data = _closing_exchange(srv, HEAD + b"Transfer-Encoding: Chunked\r\nConnection: close\r\n\r\n" + body)
    assert (status, json.loads(data)) == (200, {"Workspaces": []})


@pytest.mark.parametrize("coding", [b"gzip", b"gzip, chunked", b"chunked, chunked", b"identity"])
def test_a_transfer_coding_other_than_chunked_is_refused_and_closes(server, coding):
    srv, _ = server
    status, answer, _ = _error(srv, HEAD + b"Transfer-Encoding: " + coding + b"\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
    assert status == 501 and "chunked" in answer["message"]


# --- Content-Length ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(b"Content-Length: 2\r\nContent-Length: 3\r\n", id="two-headers-disagree"),
        pytest.param(b"Content-Length: 2, 3\r\n", id="a-list-that-disagrees"),
        pytest.param(b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n", id="with-transfer-encoding"),
        pytest.param(b"Transfer-Encoding: chunked\r\nContent-Length: 2\r\n", id="transfer-encoding-first"),
        pytest.param(b"Content-Length: +2\r\n", id="plus-sign"),
        pytest.param(b"Content-Length: 1_0\r\n", id="underscore"),
        pytest.param(b"Content-Length: -2\r\n", id="negative"),
    ],
)
def test_ambiguous_or_malformed_content_length_is_400_and_closes(server, headers):
    srv, _ = server
    status, answer, got = _error(srv, HEAD + headers + b"\r\n2\r\n{}\r\n0\r\n\r\n")
    assert (status, answer["__type"]) == (400, "SerializationException")
    assert got["connection"] == "close"
    _healthy(srv)


def test_content_length_headers_that_agree_are_accepted(server):
    srv, _ = server
    for headers in (b"Content-Length: 2\r\nContent-Length: 2\r\n", b"Content-Length: 2, 2\r\n"):
        status, _, data = _closing_exchange(srv, HEAD + headers + b"Connection: close\r\n\r\n{}")
        assert (status, json.loads(data)) == (200, {"Workspaces": []})


# --- methods other than POST ------------------------------------------------------------------------


@pytest.mark.parametrize("method", [b"GET", b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"BREW"])
def test_every_method_but_post_gets_the_aws_error_shape(server, method):
    srv, _ = server
    status, answer, headers = _error(srv, method + b" / HTTP/1.1\r\nHost: s\r\nContent-Length: 2\r\n\r\n{}")
    assert (status, answer["__type"]) == (404, "UnknownOperationException")
    assert headers["x-amzn-errortype"] == "UnknownOperationException"
    assert headers["allow"] == "POST"
    assert method.decode() in answer["message"]


def test_head_gets_the_headers_without_a_body(server):
    srv, _ = server
    status, headers, body = _closing_exchange(srv, b"HEAD / HTTP/1.1\r\nHost: s\r\n\r\n")
    assert (status, body) == (404, b"")
    assert headers["x-amzn-errortype"] == "UnknownOperationException" and headers["x-amzn-requestid"]


def test_protocol_errors_of_the_http_layer_are_in_the_aws_shape_too(server):
    srv, _ = server
    status, answer, _ = _error(srv, b"POST / HTTP/9.9\r\nHost: s\r\n\r\n")
    assert status == 505 and answer["__type"]
    status, answer, _ = _error(srv, b"NOT A REQUEST LINE AT ALL\r\n\r\n")
    assert (status, answer["__type"]) == (400, "SerializationException")


# --- the log ----------------------------------------------------------------------------------------


def test_control_characters_from_the_request_are_escaped_in_the_log(server):
    srv, log = server
    evil_path = b"/service/WorkspacesService/operation/Describe\x1b]0;owned\x07\x1b[2J\x9bWorkspaces"
    _closing_exchange(srv, b"POST " + evil_path + b" HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n")
    target = b"X-Amz-Target: WorkspacesService.Describe\x1b[31mWorkspaces\r\n"
    _closing_exchange(
        srv, b"POST / HTTP/1.1\r\nHost: s\r\n" + target + b"Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    _closing_exchange(srv, b"GET /\x1b[2J\x00 HTTP/1.1\r\nHost: s\r\n\r\n")
    _closing_exchange(srv, b"\x1b[2J\x1b[31m\r\n\r\n")
    text = log.getvalue()
    assert len(text.splitlines()) >= 4
    for control in ("\x1b", "\x07", "\x00", "\x9b"):
        assert control not in text
    assert "\\x1b]0;owned\\x07" in text and "\\x1b[31m" in text
