"""`wsctl sandbox serve` under abuse: what tests/test_sandbox_serve.py does not already cover.

That file covers the refusal of 0.0.0.0, a documentation address and a hostname, --allow-remote,
bad JSON, a string body, unknown and missing targets, a bad Content-Length, chunked bodies and
ten threads of one boto3 client. Here: the loopback names that must be accepted, bodies built
to hurt a parser (nesting bombs, NaN, 1e999, a 5,000-digit number, invalid UTF-8, oversize
and truncated bodies, a slow client), bytes that are not HTTP at all, and several wsctl and
AWS CLI processes at once, two of them racing to create the same users.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests import sandbox_support as sb

AWS = Path(sys.executable).parent / "aws"
TARGET = b"X-Amz-Target: WorkspacesService.DescribeWorkspaces\r\n"


def _exchange(url: str, data: bytes, *, timeout: float = 10) -> tuple[int, bytes]:
    """Send raw bytes, read one HTTP response: (status, body); (0, b'') if the server just closed."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(data)
        response = http.client.HTTPResponse(sock)
        try:
            response.begin()
        except http.client.RemoteDisconnected:
            return 0, b""
        return response.status, response.read()


def _post(url: str, body: bytes, extra: bytes = b"") -> tuple[int, dict[str, Any]]:
    head = b"POST / HTTP/1.1\r\nHost: sandbox\r\n" + TARGET + extra + b"Content-Length: %d\r\n\r\n" % len(body)
    status, data = _exchange(url, head + body)
    return status, json.loads(data)


def _healthy(url: str) -> None:
    status, answer = _post(url, b"{}")
    assert (status, answer) == (200, {"Workspaces": []})


@pytest.mark.parametrize("host", ["localhost", "127.0.0.2"])
def test_loopback_hosts_are_served_without_allow_remote(host):
    with sb.served("--host", host, "--quiet") as (url, proc):
        port = urlsplit(url).port
        _healthy(f"http://127.0.0.1:{port}" if host == "localhost" else url)
        assert proc.poll() is None


BAD_BODIES = [
    pytest.param(b'{"Limit": NaN}', "SerializationException", id="NaN"),
    pytest.param(b'{"Limit": 1e999}', "SerializationException", id="1e999"),
    pytest.param(b'{"Limit": ' + b"9" * 5000 + b"}", "SerializationException", id="5000-digit-number"),
    pytest.param(b'{"Limit": "\xff\xfe"}', "SerializationException", id="invalid-utf8"),
    pytest.param(b"null", "SerializationException", id="null"),
    pytest.param(b'{"WorkspaceIds": "ws-0123abcd9"}', "SerializationException", id="string-for-a-list"),
    pytest.param(b'{"WorkspaceIds": [["ws-0123abcd9"]]}', "SerializationException", id="list-in-a-list"),
    pytest.param(b'{"WorkspaceIds": []}', "ValidationException", id="empty-list"),
    pytest.param(b'{"Limit": 5, "Limit": 99}', "ValidationException", id="duplicate-key-last-wins"),
    pytest.param(b"\x00" * 64, "SerializationException", id="nul-bytes"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "SerializationException", id="nesting-bomb-lists"),
    pytest.param(b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "SerializationException", id="nesting-bomb-objects"),
]


@pytest.mark.parametrize(("body", "code"), BAD_BODIES)
def test_bodies_built_to_hurt_get_aws_style_400s(body, code):
    with sb.served("--quiet") as (url, proc):
        status, answer = _post(url, body)
        assert (status, answer["__type"]) == (400, code), answer
        assert answer["message"]
        _healthy(url)
        assert proc.poll() is None


def test_oversize_truncated_slow_and_non_http_requests_leave_it_serving(tmp_path):
    log = tmp_path / "serve.log"
    with sb.served(log=log) as (url, proc):
        parts = urlsplit(url)
        # Over 16 MiB announced: refused before reading it.
        status, data = _exchange(url, b"POST / HTTP/1.1\r\nHost: s\r\n" + TARGET + b"Content-Length: 999999999\r\n\r\n")
        assert (status, json.loads(data)["__type"]) == (400, "SerializationException")
        # A body cut short by a client that goes away.
        with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: s\r\n" + TARGET + b"Content-Length: 100\r\n\r\n{}")
        # A slow client holding its connection half-sent does not hold up anyone else.
        slow = socket.create_connection((parts.hostname, parts.port), timeout=5)
        slow.sendall(b"POST / HTTP/1.1\r\nHost: s\r\n" + TARGET + b"Content-Length: 100\r\n\r\n{")
        started = time.monotonic()
        for _ in range(20):
            _healthy(url)
        assert time.monotonic() - started < 5
        slow.close()
        # Not HTTP at all: a TLS hello, a bare line, an unsupported method.
        for garbage in (
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(64) + b"\r\n\r\n",
            b"HELLO\r\n\r\n",
            b"PUT / HTTP/1.1\r\nHost: s\r\nContent-Length: 0\r\n\r\n",
        ):
            with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
                sock.sendall(garbage)
                sock.shutdown(socket.SHUT_WR)
                answer = b"".join(iter(lambda: sock.recv(65536), b""))  # noqa: B023 - read to the end here
            # An error answer in AWS's JSON shape (404 UnknownOperationException for PUT), then the close.
            status_line = answer.split(b"\r\n", 1)[0]
            assert status_line.split()[1] in (b"400", b"404"), answer
            assert b'"__type"' in answer and b"<html" not in answer.lower()
        # Clients that connect and vanish without a byte.
        for _ in range(5):
            socket.create_connection((parts.hostname, parts.port), timeout=5).close()
            time.sleep(0.05)
        _healthy(url)
        assert proc.poll() is None
    assert sb.counts() == {"DescribeWorkspaces": 21}  # the answered ones; nothing half-read was run


def _users_yaml(path: Path, seed: dict[str, Any], users: list[str]) -> Path:
    path.write_text(
        "defaults:\n"
        f"  directory_id: {sb.primary_directory(seed)['DirectoryId']}\n"
        f"  bundle_id: {sb.bundle_id(seed)}\n"
        "workspaces:\n" + "".join(f"  - user: {u}\n" for u in users)
    )
    return path


def _aws_input(path: Path, seed: dict[str, Any], users: list[str]) -> Path:
    directory, bundle = sb.primary_directory(seed)["DirectoryId"], sb.bundle_id(seed)
    requests = [{"DirectoryId": directory, "UserName": u, "BundleId": bundle} for u in users]
    path.write_text(json.dumps({"Workspaces": requests}))
    return path


@pytest.mark.crosscheck
@pytest.mark.skipif(not AWS.exists(), reason="the AWS CLI (awscli, a test dependency) is not installed")
def test_wsctl_and_aws_cli_processes_at_once_lose_and_duplicate_nothing(tmp_path):
    seed = sb.reset("--users", "200", "--time-scale", "0")
    users = [f"user{n:04d}" for n in range(1, 191)]
    env = dict(os.environ)
    aws_env = {**env, "AWS_MAX_ATTEMPTS": "1", "AWS_ACCESS_KEY_ID": "AKIATESTFAKEFAKEFAKE"}
    with sb.served("--quiet") as (url, proc):
        wsctl = [sys.executable, "-m", "wsctl", "--endpoint-url", url]
        aws = [str(AWS), "--endpoint-url", url, "--output", "json", "workspaces"]
        jobs: dict[str, tuple[list[str], dict[str, str]]] = {}
        for k in range(3):  # three wsctl batches of 40 users: 2 calls each
            path = _users_yaml(tmp_path / f"part{k}.yaml", seed, users[40 * k : 40 * k + 40])
            jobs[f"wsctl-{k}"] = ([*wsctl, "create", "-f", str(path), "--yes", "-o", "json"], env)
        for k in range(2):  # two AWS CLI calls of 25
            path = _aws_input(tmp_path / f"aws{k}.json", seed, users[120 + 25 * k : 145 + 25 * k])
            jobs[f"aws-{k}"] = ([*aws, "create-workspaces", "--cli-input-json", f"file://{path}"], aws_env)
        race = _users_yaml(tmp_path / "race.yaml", seed, users[170:190])
        for k in range(2):  # two wsctl runs racing for the same 20 users
            jobs[f"race-{k}"] = ([*wsctl, "create", "-f", str(race), "--yes", "-o", "json"], env)
        for k in range(2):  # readers in the middle of it all
            jobs[f"describe-{k}"] = ([*wsctl, "describe", "-o", "json"], env)
        jobs["aws-describe"] = ([*aws, "describe-workspaces"], aws_env)
        procs = {
            name: subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=job_env)
            for name, (argv, job_env) in jobs.items()
        }
        results = {name: p.communicate(timeout=120) for name, p in procs.items()}
        for name, p in procs.items():
            assert p.returncode == 0, (name, results[name][1][-2000:])
        assert proc.poll() is None
    reported: Counter[str] = Counter()
    for k in range(3):
        data = json.loads(results[f"wsctl-{k}"][0])
        assert data["FailedRequests"] == [] and data["Existing"] == []
        reported.update(w["UserName"] for w in data["PendingRequests"])
    for k in range(2):
        data = json.loads(results[f"aws-{k}"][0])
        assert data["FailedRequests"] == []
        reported.update(w["UserName"] for w in data["PendingRequests"])
    race_ids = set()
    for k in range(2):
        data = json.loads(results[f"race-{k}"][0])
        assert data["FailedRequests"] == []  # the loser reports the winner's WorkSpaces, not failures
        seen = data["PendingRequests"] + data["Existing"]
        assert sorted(w["UserName"] for w in seen) == users[170:190]
        race_ids |= {w["WorkspaceId"] for w in seen}
    assert sorted(reported) == users[:170] and set(reported.values()) == {1}
    found = [w for p in sb.client().get_paginator("describe_workspaces").paginate() for w in p["Workspaces"]]
    per_user = Counter(w["UserName"] for w in found)
    assert sorted(per_user) == users and set(per_user.values()) == {1}  # 190, none twice
    assert race_ids == {w["WorkspaceId"] for w in found if w["UserName"] in users[170:190]}
    # Every create request the processes made arrived once: 3 x 2 + 2 + at most 2 for the race.
    assert 8 < sb.counts()["CreateWorkspaces"] <= 10
    db = sqlite3.connect(os.environ["WSCTL_SANDBOX_DB"])
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_a_burst_of_connections_is_accepted_at_once():
    from wsctl.sandbox.server import make_server

    server = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        for n in range(100):
            started = time.monotonic()
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
            took = time.monotonic() - started
            assert took < 0.5, f"connection {n + 1} waited {took:.1f} s to be accepted"
    finally:
        server.shutdown()
        server.server_close()
