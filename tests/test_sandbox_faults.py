"""Fault settings, request counters and the wire format of the sandbox backend."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from botocore.retries.standard import ExponentialBackoff

from tests import sandbox_support as sb
from wsctl.sandbox.backend import Backend
from wsctl.sandbox.store import Store


def _outcomes(c, calls):
    """For each call: None when it succeeded, else the error code."""
    out: list[str | None] = []
    for _ in range(calls):
        try:
            c.describe_workspace_directories()
            out.append(None)
        except ClientError as exc:
            out.append(exc.response["Error"]["Code"])
    return out


def _no_backoff(monkeypatch):
    # botocore sleeps up to seconds between throttled attempts; the sandbox needs no waiting.
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)


def test_rate_limit_throttles_beyond_the_burst_and_refills(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset("--rate-limit", "0.5", "--burst", "3")
    assert (seed["Settings"]["RateLimit"], seed["Settings"]["Burst"]) == (0.5, 3)
    c = sb.client()
    assert _outcomes(c, 4) == [None, None, None, "ThrottlingException"]
    with pytest.raises(ClientError) as caught:
        c.describe_workspaces()
    assert sb.error_of(caught) == ("ThrottlingException", "Rate exceeded", 400)
    clock.advance(1.9)
    assert _outcomes(c, 1) == ["ThrottlingException"]
    clock.advance(0.1)  # 2 s at 0.5/s: one token
    assert _outcomes(c, 2) == [None, "ThrottlingException"]
    clock.advance(60)  # refills to the burst, no further
    assert _outcomes(c, 4) == [None, None, None, "ThrottlingException"]
    assert sb.counts() == {"DescribeWorkspaceDirectories": 11, "DescribeWorkspaces": 1}


def test_rate_limit_bucket_is_shared_by_every_client(monkeypatch):
    sb.fake_clock(monkeypatch)
    sb.reset("--rate-limit", "1", "--burst", "2")
    first, second = sb.client(), sb.client()
    assert _outcomes(first, 1) + _outcomes(second, 1) + _outcomes(first, 1) == [None, None, "ThrottlingException"]


def test_without_rate_limit_nothing_is_throttled(monkeypatch):
    sb.fake_clock(monkeypatch)
    sb.reset()
    assert _outcomes(sb.client(), 30) == [None] * 30


def test_throttle_rate_throttles_a_repeatable_share():
    sb.reset("--throttle-rate", "0.3", "--seed", "7")
    first = _outcomes(sb.client(), 60)
    throttled = first.count("ThrottlingException")
    assert set(first) == {None, "ThrottlingException"}
    assert 8 <= throttled <= 30, throttled
    sb.reset("--throttle-rate", "0.3", "--seed", "7")
    assert _outcomes(sb.client(), 60) == first
    sb.reset("--throttle-rate", "0.3", "--seed", "8")
    assert _outcomes(sb.client(), 60) != first
    assert sb.counts() == {"DescribeWorkspaceDirectories": 60}


def test_botocore_retries_throttled_calls_to_success(monkeypatch):
    _no_backoff(monkeypatch)
    sb.reset("--throttle-rate", "0.5", "--seed", "3")
    c = sb.client(max_attempts=12)
    retries = 0
    for _ in range(20):
        answer = c.describe_workspace_directories()
        assert len(answer["Directories"]) == 2
        retries += answer["ResponseMetadata"]["RetryAttempts"]
    assert retries > 5
    assert sb.counts() == {"DescribeWorkspaceDirectories": 20 + retries}


def test_server_errors_answer_500_before_doing_anything(monkeypatch):
    sb.fake_clock(monkeypatch)
    seed = sb.reset("--server-error-rate", "1")
    c = sb.client()
    with pytest.raises(ClientError) as caught:
        c.create_workspaces(Workspaces=[sb.request(seed, "user0001")])
    code, _, status = sb.error_of(caught)
    assert (code, status) == ("InternalFailure", 500)
    Store().update_settings(server_error_rate=0.0)
    assert c.describe_workspaces(DirectoryId=sb.primary_directory(seed)["DirectoryId"])["Workspaces"] == []
    assert sb.info()["Counts"]["Workspaces"] == 0
    assert sb.counts() == {"CreateWorkspaces": 1, "DescribeWorkspaces": 1}


def test_server_errors_are_retried_and_never_create_twice(monkeypatch):
    _no_backoff(monkeypatch)
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset("--server-error-rate", "0.5", "--seed", "11")
    c = sb.client(max_attempts=12)
    retries = 0
    for n in range(1, 13):
        answer = c.create_workspaces(Workspaces=[sb.request(seed, f"user{n:04d}")])
        assert answer["FailedRequests"] == []  # a 500 before the work leaves nothing to collide with
        retries += answer["ResponseMetadata"]["RetryAttempts"]
    assert retries > 0
    Store().update_settings(server_error_rate=0.0)
    clock.advance(1)
    found = c.describe_workspaces(DirectoryId=sb.primary_directory(seed)["DirectoryId"])["Workspaces"]
    assert sorted(w["UserName"] for w in found) == [f"user{n:04d}" for n in range(1, 13)]
    assert sb.counts()["CreateWorkspaces"] == 12 + retries


def test_lost_response_did_the_work(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset("--lost-response-rate", "1")
    c = sb.client()
    with pytest.raises(ClientError) as caught:
        c.create_workspaces(Workspaces=[sb.request(seed, "user0001")])
    assert sb.error_of(caught)[::2] == ("InternalFailure", 500)
    Store().update_settings(lost_response_rate=0.0)
    clock.advance(1)
    [ws] = c.describe_workspaces(DirectoryId=sb.primary_directory(seed)["DirectoryId"])["Workspaces"]
    assert ws["UserName"] == "user0001" and ws["State"] == "PENDING"


def test_lost_responses_retried_by_botocore_surface_as_resource_exists(monkeypatch):
    _no_backoff(monkeypatch)
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset("--lost-response-rate", "0.5", "--seed", "1")
    c = sb.client(max_attempts=12)
    kinds = []
    retries = 0
    users = [f"user{n:04d}" for n in range(1, 17)]
    for user in users:
        answer = c.create_workspaces(Workspaces=[sb.request(seed, user)])
        retries += answer["ResponseMetadata"]["RetryAttempts"]
        if answer["PendingRequests"]:
            kinds.append("created")
        else:
            [failed] = answer["FailedRequests"]
            assert failed["ErrorCode"] == "ResourceExists.WorkSpace"
            kinds.append("exists")
    assert set(kinds) == {"created", "exists"}  # the first answer was lost for some, not for others
    clock.advance(1)
    found = [w for p in c.get_paginator("describe_workspaces").paginate() for w in p["Workspaces"]]
    assert sorted(w["UserName"] for w in found) == users  # each created exactly once
    assert sb.counts()["CreateWorkspaces"] == len(users) + retries


def test_counters_count_every_request_received(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset("--rate-limit", "1", "--burst", "5")
    c = sb.client()
    c.create_workspaces(Workspaces=[sb.request(seed, "user0001")])
    with pytest.raises(ClientError):
        c.modify_workspace_properties(WorkspaceId="ws-000000000", WorkspaceProperties={"RunningMode": "ALWAYS_ON"})
    with pytest.raises(ClientError):
        c.describe_workspaces(Limit=26)  # a validation error is a request too
    c.describe_workspace_bundles()
    c.describe_workspace_images()
    with pytest.raises(ClientError):
        c.describe_workspace_images()  # throttled: counted
    clock.advance(10)
    c.import_workspace_image(
        Ec2ImageId=sb.ami_id(seed), IngestionProcess="BYOL_REGULAR", ImageName="n", ImageDescription="d"
    )
    assert sb.counts() == {
        "CreateWorkspaces": 1,
        "DescribeWorkspaceBundles": 1,
        "DescribeWorkspaceImages": 2,
        "DescribeWorkspaces": 1,
        "ImportWorkspaceImage": 1,
        "ModifyWorkspaceProperties": 1,
    }
    assert sb.info()["Requests"] == sb.counts()
    sb.reset()
    assert sb.counts() == {}


# --- the wire format, straight at the backend core ---------------------------------------------


def _json(body):
    return json.loads(body)


def test_success_answers_json_with_a_request_id():
    status, headers, body = Backend().handle("DescribeWorkspaces", b'{"Limit": 5}')
    assert status == 200
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert len(headers["x-amzn-RequestId"]) == 36
    assert int(headers["Content-Length"]) == len(body)
    assert _json(body) == {"Workspaces": []}


@pytest.mark.parametrize(
    ("operation", "body", "code"),
    [
        ("DeleteEverything", b"{}", "UnknownOperationException"),
        ("", b"{}", "UnknownOperationException"),
        ("DescribeWorkspaces", b"{not json", "SerializationException"),
        ("DescribeWorkspaces", b"[1, 2]", "SerializationException"),
        ("DescribeWorkspaces", b"\xff\xfe", "SerializationException"),
        ("DescribeWorkspaces", b'{"Limit": "5"}', "SerializationException"),
        ("DescribeWorkspaces", b'{"Limit": 99}', "ValidationException"),
        ("CreateWorkspaces", b"{}", "ValidationException"),
        ("ModifyWorkspaceProperties", b'{"WorkspaceId": "ws-000000000"}', "ResourceNotFoundException"),
    ],
)
def test_errors_are_aws_style_400s(operation, body, code):
    status, headers, raw = Backend().handle(operation, body)
    assert status == 400
    answer = _json(raw)
    assert answer["__type"] == code and answer["message"]
    assert headers["x-amzn-ErrorType"] == code
    assert headers["x-amzn-RequestId"]


def test_an_empty_body_is_an_empty_request_and_unknown_members_are_ignored():
    assert Backend().handle("DescribeWorkspaceDirectories", b"").status == 200
    assert Backend().handle("DescribeWorkspaces", b'{"SomeNewMember": 1}').status == 200


def test_unknown_operations_are_not_counted_and_known_ones_are():
    backend = Backend()
    backend.handle("Nope", b"{}")
    backend.handle("DescribeWorkspaces", b"{bad")
    assert sb.counts() == {"DescribeWorkspaces": 1}
