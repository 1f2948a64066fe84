"""`wsctl sandbox serve`: the same backend over HTTP, as a real subprocess."""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError

from tests import sandbox_support as sb
from tests.helpers import wsctl


def _post(url, body, headers=None):
    """POST with http.client (nothing of botocore): (status, headers, JSON body)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("POST", "/", body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, dict(response.getheaders()), json.loads(data) if data else None
    finally:
        conn.close()


def _raw(url, request):
    """Send bytes as they are (a request http.client would not write): (status, JSON body)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock)
        response.begin()
        data = response.read()
        return response.status, json.loads(data)


def _target(op):
    return {"X-Amz-Target": f"WorkspacesService.{op}", "Content-Type": "application/x-amz-json-1.1"}


def test_serve_prints_its_url_first_and_answers_a_boto3_client(tmp_path):
    seed = sb.reset("--time-scale", "0.01")
    log = tmp_path / "serve.log"
    with sb.served(log=log) as (url, proc):
        assert re.match(r"\Ahttp://127\.0\.0\.1:\d+\Z", url)
        c = sb.http_client(url)
        directories = c.describe_workspace_directories()["Directories"]
        assert [d["DirectoryId"] for d in directories] == [d["DirectoryId"] for d in seed["Directories"]]
        answer = c.create_workspaces(Workspaces=[sb.request(seed, "user0001"), sb.request(seed, "nobody")])
        assert answer["FailedRequests"][0]["ErrorCode"] == "ResourceNotFound.User"
        wid = answer["PendingRequests"][0]["WorkspaceId"]
        time.sleep(0.06)
        assert c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["State"] == "AVAILABLE"
        with pytest.raises(ClientError) as caught:
            c.modify_workspace_properties(WorkspaceId="ws-000000000", WorkspaceProperties={"RunningMode": "ALWAYS_ON"})
        assert sb.error_of(caught)[::2] == ("ResourceNotFoundException", 400)
        # The in-process sandbox and the server share the database.
        assert sb.client().describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["UserName"] == "user0001"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    assert sb.counts() == {
        "CreateWorkspaces": 1,
        "DescribeWorkspaceDirectories": 1,
        "DescribeWorkspaces": 2,
        "ModifyWorkspaceProperties": 1,
    }
    text = log.read_text()
    assert "CreateWorkspaces 200" in text and "ModifyWorkspaceProperties 400 ResourceNotFoundException" in text


def test_sigint_stops_it_cleanly_too():
    with sb.served("--quiet") as (url, proc):
        assert sb.http_client(url).describe_workspaces()["Workspaces"] == []
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.com"])
def test_non_loopback_host_is_refused_without_allow_remote(host):
    run = wsctl("sandbox", "serve", "--host", host, "--port", "0")
    assert run.exit_code == 2
    assert "--allow-remote" in run.stderr and host in run.stderr
    assert run.stdout == ""


def test_allow_remote_serves_on_every_address():
    with sb.served("--host", "0.0.0.0", "--allow-remote", "--quiet") as (url, _):
        assert url.startswith("http://0.0.0.0:")
        port = urlsplit(url).port
        assert sb.http_client(f"http://127.0.0.1:{port}").describe_workspace_bundles()["Bundles"]


def test_a_port_in_use_is_an_error_with_a_hint():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = wsctl("sandbox", "serve", "--port", str(port))
    assert run.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in run.stderr and "--port" in run.stderr


def test_malformed_requests_get_aws_style_400s():
    with sb.served("--quiet") as (url, _):
        cases = [
            (b"{not json", _target("DescribeWorkspaces"), "SerializationException"),
            (b'"a string"', _target("DescribeWorkspaces"), "SerializationException"),
            (b"{}", _target("LaunchRockets"), "UnknownOperationException"),
            (b"{}", {"X-Amz-Target": "DynamoDB_20120810.ListTables"}, "UnknownOperationException"),
            (b"{}", {}, "UnknownOperationException"),
            (b'{"Limit": 0}', _target("DescribeWorkspaces"), "ValidationException"),
        ]
        for body, headers, code in cases:
            status, got_headers, answer = _post(url, body, headers)
            assert status == 400, (body, headers)
            assert answer["__type"] == code and answer["message"]
            assert got_headers["x-amzn-ErrorType"] == code
            assert got_headers["x-amzn-RequestId"]
        bad_length = (
            b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: WorkspacesService.DescribeWorkspaces\r\n"
            b"Content-Length: lots\r\n\r\n{}"
        )
        status, answer = _raw(url, bad_length)
        assert (status, answer["__type"]) == (400, "SerializationException")
        chunked = (
            b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: WorkspacesService.DescribeWorkspaces\r\n"
            b'Transfer-Encoding: chunked\r\n\r\n5\r\n{"Lim\r\n9\r\nit": 2}  \r\n0\r\n\r\n'
        )
        status, answer = _raw(url, chunked)
        assert (status, answer) == (200, {"Workspaces": []})
        # The server is still healthy after all that.
        assert sb.http_client(url).describe_workspaces()["Workspaces"] == []


def test_concurrent_clients_lose_nothing():
    seed = sb.reset("--users", "60", "--time-scale", "0")
    with sb.served("--quiet") as (url, _):
        created: list[str] = []
        errors: list[BaseException] = []
        lock = threading.Lock()
        c = sb.http_client(url)  # thread-safe; its pool opens up to 10 connections at once

        def work(first):
            try:
                for n in range(first, first + 6):
                    answer = c.create_workspaces(Workspaces=[sb.request(seed, f"user{n:04d}")])
                    assert answer["FailedRequests"] == []
                    with lock:
                        created.extend(w["WorkspaceId"] for w in answer["PendingRequests"])
                    c.describe_workspaces(DirectoryId=sb.primary_directory(seed)["DirectoryId"], Limit=5)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(1 + 6 * k,)) for k in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        pages = sb.http_client(url).get_paginator("describe_workspaces").paginate()
        found = [w["WorkspaceId"] for p in pages for w in p["Workspaces"]]
    assert len(created) == len(set(created)) == 60
    assert sorted(found) == sorted(created)
    assert sb.counts() == {"CreateWorkspaces": 60, "DescribeWorkspaces": 60 + 3}


def test_faults_reach_http_clients_too():
    sb.reset("--server-error-rate", "1")
    with sb.served("--quiet") as (url, _):
        with pytest.raises(ClientError) as caught:
            sb.http_client(url, max_attempts=2).describe_workspaces()
        assert sb.error_of(caught)[::2] == ("InternalFailure", 500)
        assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 1
    assert sb.counts() == {"DescribeWorkspaces": 2}


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")
def test_ipv6_loopback_host():
    with sb.served("--host", "::1", "--quiet") as (url, _):
        assert re.match(r"\Ahttp://\[::1\]:\d+\Z", url)
        assert sb.http_client(url).describe_workspaces()["Workspaces"] == []
