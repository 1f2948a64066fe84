"""The sandbox's CreateWorkspaces, DescribeWorkspaces and TerminateWorkspaces, through a real boto3 client."""

from __future__ import annotations

import re
import time

import pytest
from botocore.exceptions import ClientError

from tests import sandbox_support as sb
from tests.helpers import ids_of, wsctl
from wsctl.spec import model

WORKSPACE_ID = re.compile(r"\Aws-[0-9a-z]{9}\Z")


def test_create_answers_pending_workspaces_with_properties_resolved_over_the_bundle(monkeypatch):
    sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    graphics = sb.request(seed, "user0002", "GRAPHICS_G4DN")
    answer = c.create_workspaces(
        Workspaces=[
            sb.request(seed, "user0001", Tags=[{"Key": "team", "Value": "a"}]),
            {**graphics, "WorkspaceProperties": {"RunningMode": "ALWAYS_ON"}},
            sb.request(
                seed,
                "user0003",
                "POWER",
                WorkspaceProperties={"RunningModeAutoStopTimeoutInMinutes": 120, "UserVolumeSizeGib": 200},
                RootVolumeEncryptionEnabled=True,
            ),
        ]
    )
    assert answer["FailedRequests"] == []
    first, second, third = answer["PendingRequests"]
    for ws in (first, second, third):
        assert WORKSPACE_ID.match(ws["WorkspaceId"])
        assert ws["State"] == "PENDING"
        assert ws["DirectoryId"] == sb.primary_directory(seed)["DirectoryId"]
        assert "IpAddress" not in ws and "ComputerName" not in ws
    assert len({ws["WorkspaceId"] for ws in (first, second, third)}) == 3
    assert first["UserName"] == "user0001" and first["BundleId"] == sb.bundle_id(seed)
    assert first["WorkspaceProperties"] == {
        "RunningMode": "AUTO_STOP",
        "RunningModeAutoStopTimeoutInMinutes": 60,
        "RootVolumeSizeGib": 80,
        "UserVolumeSizeGib": 50,
        "ComputeTypeName": "STANDARD",
    }
    assert second["WorkspaceProperties"] == {
        "RunningMode": "ALWAYS_ON",
        "RootVolumeSizeGib": 100,
        "UserVolumeSizeGib": 100,
        "ComputeTypeName": "GRAPHICS_G4DN",
    }
    assert third["WorkspaceProperties"]["RunningModeAutoStopTimeoutInMinutes"] == 120
    assert third["WorkspaceProperties"]["RootVolumeSizeGib"] == 175
    assert third["WorkspaceProperties"]["UserVolumeSizeGib"] == 200
    assert third["RootVolumeEncryptionEnabled"] is True and first["RootVolumeEncryptionEnabled"] is False


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"DirectoryId": "d-0000000000"}, "ResourceNotFound.Directory", "could not be found in the specified region"),
        ({"UserName": "nobody"}, "ResourceNotFound.User", "nobody"),
        ({"BundleId": "wsb-000000000"}, "ResourceNotFound.Bundle", "wsb-000000000"),
        (
            {"WorkspaceProperties": {"RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 90}},
            "InvalidParameterValuesException",
            "not a multiple of 60",
        ),
        (
            {"WorkspaceProperties": {"RunningMode": "ALWAYS_ON", "RunningModeAutoStopTimeoutInMinutes": 60}},
            "InvalidParameterValuesException",
            "only to running mode AUTO_STOP",
        ),
        (
            {"WorkspaceProperties": {"RootVolumeSizeGib": 100, "UserVolumeSizeGib": 100}},
            "InvalidParameterValuesException",
            "not an allowed combination",
        ),
        (
            {"WorkspaceProperties": {"RootVolumeSizeGib": 175}},
            "InvalidParameterValuesException",
            "175 GiB with user 50 GiB",
        ),
        (
            {"Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]},
            "InvalidParameterValuesException",
            "at most 50",
        ),
    ],
)
def test_each_failed_request_code(monkeypatch, change, code, message):
    sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    bad = {**sb.request(seed, "user0001"), **change}
    answer = c.create_workspaces(Workspaces=[bad, sb.request(seed, "user0002")])
    [failed] = answer["FailedRequests"]
    assert failed["ErrorCode"] == code
    assert message in failed["ErrorMessage"]
    assert failed["WorkspaceRequest"] == bad
    assert [w["UserName"] for w in answer["PendingRequests"]] == ["user0002"]
    # Nothing was created for the failed entry.
    assert (
        c.describe_workspaces(DirectoryId=sb.primary_directory(seed)["DirectoryId"], UserName="user0001")["Workspaces"]
        == []
    )


def test_graphics_bundles_accept_100_100_volumes(monkeypatch):
    sb.fake_clock(monkeypatch)
    seed = sb.reset()
    props = {"RootVolumeSizeGib": 100, "UserVolumeSizeGib": 100}
    answer = sb.client().create_workspaces(
        Workspaces=[sb.request(seed, "user0001", "GRAPHICSPRO_G4DN", WorkspaceProperties=props)]
    )
    assert answer["FailedRequests"] == []


def test_one_workspace_per_user_even_within_one_call(monkeypatch):
    sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    answer = c.create_workspaces(Workspaces=[sb.request(seed, "user0001"), sb.request(seed, "user0001", "VALUE")])
    assert len(answer["PendingRequests"]) == 1
    [failed] = answer["FailedRequests"]
    assert failed["ErrorCode"] == "ResourceExists.WorkSpace"
    assert failed["ErrorMessage"] == "A WorkSpace already exists for the specified user."
    again = c.create_workspaces(Workspaces=[sb.request(seed, "user0001")])
    assert again["FailedRequests"][0]["ErrorCode"] == "ResourceExists.WorkSpace"
    # The same user name in another directory is another user.
    other = sb.second_directory(seed)
    ok = c.create_workspaces(
        Workspaces=[{"DirectoryId": other["DirectoryId"], "UserName": "branch01", "BundleId": sb.bundle_id(seed)}]
    )
    assert ok["FailedRequests"] == []


def test_more_than_25_workspaces_is_a_validation_error(monkeypatch):
    sb.fake_clock(monkeypatch)
    seed = sb.reset()
    with pytest.raises(ClientError) as caught:
        sb.client().create_workspaces(Workspaces=[sb.request(seed, f"user{i:04d}") for i in range(1, 27)])
    code, message, status = sb.error_of(caught)
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "1 validation error detected: Value 26 at 'workspaces' failed to satisfy constraint: "
        "Member must have length less than or equal to 25"
    )


def test_model_violations_are_answered_with_aws_wording(monkeypatch):
    sb.fake_clock(monkeypatch)
    seed = sb.reset()
    bad = sb.request(seed, "user0001", WorkspaceProperties={"RunningMode": "SOMETIMES"})
    bad["BundleId"] = "bundle-1"
    with pytest.raises(ClientError) as caught:
        sb.client().create_workspaces(Workspaces=[bad])
    code, message, _ = sb.error_of(caught)
    expected = model.aws_validation_message(model.validate("CreateWorkspaces", {"Workspaces": [bad]}))
    assert code == "ValidationException"
    assert message == expected
    assert "'workspaces.1.member.bundleId'" in message and "SOMETIMES" in message


def test_manual_running_mode_needs_a_core_account(monkeypatch):
    sb.fake_clock(monkeypatch)
    manual = {"RunningMode": "MANUAL"}
    seed = sb.reset()
    answer = sb.client().create_workspaces(Workspaces=[sb.request(seed, "user0001", WorkspaceProperties=manual)])
    assert answer["FailedRequests"] == []
    assert answer["PendingRequests"][0]["WorkspaceProperties"]["RunningMode"] == "MANUAL"
    assert "RunningModeAutoStopTimeoutInMinutes" not in answer["PendingRequests"][0]["WorkspaceProperties"]

    seed = sb.reset("--no-core")
    answer = sb.client().create_workspaces(Workspaces=[sb.request(seed, "user0001", WorkspaceProperties=manual)])
    [failed] = answer["FailedRequests"]
    assert failed["ErrorCode"] == "InvalidParameterValuesException"
    assert "MANUAL" in failed["ErrorMessage"] and "WorkSpaces Core" in failed["ErrorMessage"]
    assert "allow-listed" in failed["ErrorMessage"]


def test_new_workspace_is_invisible_then_pending_then_available(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    ws = c.create_workspaces(Workspaces=[sb.request(seed, "user0001")])["PendingRequests"][0]
    wid = ws["WorkspaceId"]
    assert c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"] == []
    assert c.describe_workspaces()["Workspaces"] == []
    clock.advance(0.5)
    [seen] = c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"]
    assert seen["State"] == "PENDING" and "IpAddress" not in seen
    clock.advance(4.4)
    assert c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["State"] == "PENDING"
    clock.advance(0.1)
    [ready] = c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"]
    assert ready["State"] == "AVAILABLE"
    assert re.match(r"\A10\.0\.\d+\.\d+\Z", ready["IpAddress"])
    assert ready["ComputerName"].startswith("WSAMZN-")
    assert ready["SubnetId"].startswith("subnet-")
    assert ready["ModificationStates"] == []
    assert "ErrorCode" not in ready


def test_encrypted_volumes_take_twice_as_long(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    answer = c.create_workspaces(
        Workspaces=[sb.request(seed, "user0001", UserVolumeEncryptionEnabled=True), sb.request(seed, "user0002")]
    )
    by_user = {w["UserName"]: w["WorkspaceId"] for w in answer["PendingRequests"]}
    clock.advance(6)
    states = {w["UserName"]: w["State"] for w in c.describe_workspaces()["Workspaces"]}
    assert states == {"user0001": "PENDING", "user0002": "AVAILABLE"}
    clock.advance(4)
    [ws] = c.describe_workspaces(WorkspaceIds=[by_user["user0001"]])["Workspaces"]
    assert ws["State"] == "AVAILABLE" and ws["UserVolumeEncryptionEnabled"] is True


def test_workspaces_of_the_failing_bundle_end_in_error(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    broken = {**sb.request(seed, "user0001"), "BundleId": sb.failing_bundle_id(seed)}
    wid = c.create_workspaces(Workspaces=[broken])["PendingRequests"][0]["WorkspaceId"]
    clock.advance(1)
    assert c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["State"] == "PENDING"
    clock.advance(5)
    [ws] = c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"]
    assert ws["State"] == "ERROR"
    assert ws["ErrorCode"] and sb.failing_bundle_id(seed) in ws["ErrorMessage"]
    assert "IpAddress" not in ws


def test_time_scale_multiplies_durations(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset("--time-scale", "10")
    c = sb.client()
    wid = c.create_workspaces(Workspaces=[sb.request(seed, "user0001")])["PendingRequests"][0]["WorkspaceId"]
    clock.advance(4.9)
    assert c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"] == []
    clock.advance(45)
    assert c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["State"] == "PENDING"
    clock.advance(1)
    assert c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["State"] == "AVAILABLE"


def test_lifecycle_runs_on_the_real_clock_too():
    # Visible after 0.2 s, AVAILABLE after 2 s: a loaded machine's stall of a second still sees PENDING.
    seed = sb.reset("--time-scale", "0.4")
    c = sb.client()
    wid = c.create_workspaces(Workspaces=[sb.request(seed, "user0001")])["PendingRequests"][0]["WorkspaceId"]
    seen: list[str | None] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"]
        state = found[0]["State"] if found else None
        if not seen or seen[-1] != state:
            seen.append(state)
        if state == "AVAILABLE":
            break
        time.sleep(0.01)
    assert seen[-2:] == ["PENDING", "AVAILABLE"]


# --- DescribeWorkspaces filters and pages -------------------------------------------------------


def _create_many(c, seed, users, compute="STANDARD"):
    created = []
    for start in range(0, len(users), 25):
        chunk = users[start : start + 25]
        answer = c.create_workspaces(Workspaces=[sb.request(seed, u, compute) for u in chunk])
        assert answer["FailedRequests"] == []
        created += ids_of(answer["PendingRequests"])
    return created


def test_pages_are_stable_and_next_token_is_absent_on_the_last_page(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    created = _create_many(c, seed, [f"user{i:04d}" for i in range(1, 31)])
    clock.advance(1)
    directory = sb.primary_directory(seed)["DirectoryId"]
    first = c.describe_workspaces(DirectoryId=directory, Limit=12)
    assert len(first["Workspaces"]) == 12 and first["NextToken"]
    # A WorkSpace created between pages appears at the end, never twice nor in place of another.
    late = _create_many(c, seed, ["user0031"])
    clock.advance(1)
    second = c.describe_workspaces(DirectoryId=directory, Limit=12, NextToken=first["NextToken"])
    third = c.describe_workspaces(DirectoryId=directory, Limit=12, NextToken=second["NextToken"])
    assert "NextToken" not in third
    pages = first["Workspaces"] + second["Workspaces"] + third["Workspaces"]
    assert ids_of(pages) == created + late
    # Default page: 25; a full last page has no token either.
    assert len(c.describe_workspaces()["Workspaces"]) == 25
    whole = c.describe_workspaces(WorkspaceIds=created[:25], Limit=25)
    assert len(whole["Workspaces"]) == 25 and "NextToken" not in whole


def test_botocore_paginator_walks_every_page(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    created = _create_many(c, seed, [f"user{i:04d}" for i in range(1, 51)])
    clock.advance(1)
    pages = list(c.get_paginator("describe_workspaces").paginate(PaginationConfig={"PageSize": 20}))
    assert [len(p["Workspaces"]) for p in pages] == [20, 20, 10]
    assert [w["WorkspaceId"] for p in pages for w in p["Workspaces"]] == created


@pytest.mark.parametrize(
    ("limit", "constraint"),
    [(0, "greater than or equal to 1"), (26, "less than or equal to 25")],
)
def test_limit_outside_1_to_25_is_a_validation_error(limit, constraint):
    sb.reset()
    # botocore would refuse Limit=0 itself; this client lets the sandbox judge.
    with pytest.raises(ClientError) as caught:
        sb.unvalidated_client().describe_workspaces(Limit=limit)
    code, message, status = sb.error_of(caught)
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        f"1 validation error detected: Value {limit} at 'limit' failed to satisfy constraint: "
        f"Member must have value {constraint}"
    )


def test_bad_or_foreign_next_token_is_refused(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    _create_many(c, seed, [f"user{i:04d}" for i in range(1, 4)])
    clock.advance(1)
    token = c.describe_workspaces(Limit=1)["NextToken"]
    for bad_call in (
        lambda: c.describe_workspaces(NextToken="not-a-token"),
        lambda: c.describe_workspaces(BundleId=sb.bundle_id(seed), NextToken=token),
    ):
        with pytest.raises(ClientError) as caught:
            bad_call()
        assert sb.error_of(caught)[0] == "InvalidParameterValuesException"
    assert len(c.describe_workspaces(NextToken=token, Limit=5)["Workspaces"]) == 2


def test_filters_one_at_a_time_and_username_only_with_directory(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    directory = sb.primary_directory(seed)["DirectoryId"]
    std = _create_many(c, seed, ["user0001", "user0002"])
    val = _create_many(c, seed, ["user0003"], "VALUE")
    named = c.create_workspaces(Workspaces=[sb.request(seed, "user0004", WorkspaceName="kiosk-1")])
    clock.advance(1)
    by = c.describe_workspaces
    assert ids_of(by(BundleId=sb.bundle_id(seed, "VALUE"))["Workspaces"]) == val
    assert ids_of(by(BundleId=sb.bundle_id(seed))["Workspaces"]) == std + ids_of(named["PendingRequests"])
    assert ids_of(by(DirectoryId=directory, UserName="user0002")["Workspaces"]) == std[1:]
    assert ids_of(by(WorkspaceName="kiosk-1")["Workspaces"]) == ids_of(named["PendingRequests"])
    assert by(DirectoryId=sb.second_directory(seed)["DirectoryId"])["Workspaces"] == []
    assert ids_of(by(WorkspaceIds=[val[0], "ws-000000000", std[0]])["Workspaces"]) == [std[0], val[0]]
    for params in (
        {"DirectoryId": directory, "BundleId": sb.bundle_id(seed)},
        {"WorkspaceIds": std, "DirectoryId": directory},
        {"UserName": "user0001"},
        {"BundleId": sb.bundle_id(seed), "UserName": "user0001"},
    ):
        with pytest.raises(ClientError) as caught:
            by(**params)
        assert sb.error_of(caught)[0] == "InvalidParameterValuesException", params


def test_tags_are_stored_but_not_described(monkeypatch, tmp_path):
    import json
    import sqlite3

    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    tags = [{"Key": "cost-center", "Value": "42"}]
    wid = c.create_workspaces(Workspaces=[sb.request(seed, "user0001", Tags=tags)])["PendingRequests"][0]["WorkspaceId"]
    clock.advance(1)
    assert "Tags" not in c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]
    db = sqlite3.connect(tmp_path / "sandbox.sqlite3")
    [(stored,)] = db.execute("SELECT tags FROM workspaces WHERE workspace_id = ?", (wid,)).fetchall()
    db.close()
    assert json.loads(stored) == tags


# --- TerminateWorkspaces ---------------------------------------------------------------------------


def test_terminated_workspace_shows_briefly_then_disappears(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    [keep, drop] = _create_many(c, seed, ["user0001", "user0002"])
    clock.advance(6)
    answer = c.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": drop}, {"WorkspaceId": "ws-000000000"}])
    assert answer["FailedRequests"] == [
        {
            "WorkspaceId": "ws-000000000",
            "ErrorCode": "ResourceNotFound.Workspace",
            "ErrorMessage": "The WorkSpace ws-000000000 could not be found.",
        }
    ]
    assert c.describe_workspaces(WorkspaceIds=[drop])["Workspaces"][0]["State"] == "TERMINATING"
    # Until it is TERMINATED, the user still has it.
    again = c.create_workspaces(Workspaces=[sb.request(seed, "user0002")])
    assert again["FailedRequests"][0]["ErrorCode"] == "ResourceExists.WorkSpace"
    clock.advance(2)
    assert c.describe_workspaces(WorkspaceIds=[drop])["Workspaces"][0]["State"] == "TERMINATED"
    clock.advance(2)
    assert c.describe_workspaces(WorkspaceIds=[drop])["Workspaces"] == []
    assert ids_of(c.describe_workspaces()["Workspaces"]) == [keep]
    gone = c.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": drop}])
    assert gone["FailedRequests"][0]["WorkspaceId"] == drop
    # The user may have a new one now.
    assert c.create_workspaces(Workspaces=[sb.request(seed, "user0002")])["FailedRequests"] == []


# --- end to end through `wsctl --sandbox describe` -----------------------------------------------


def test_wsctl_describe_on_an_empty_database_seeds_it_and_finds_nothing(tmp_path):
    assert not (tmp_path / "sandbox.sqlite3").exists()
    run = wsctl("--sandbox", "describe", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json() == {"Workspaces": []}
    assert (tmp_path / "sandbox.sqlite3").exists()
    assert sb.counts() == {"DescribeWorkspaces": 1}


def test_wsctl_describe_shows_created_workspaces_in_every_format(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    created = _create_many(c, seed, [f"user{i:04d}" for i in range(1, 31)])
    clock.advance(0.5)
    run = wsctl("--sandbox", "describe", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert ids_of(run.json()["Workspaces"]) == created
    assert {w["State"] for w in run.json()["Workspaces"]} == {"PENDING"}
    run = wsctl("--sandbox", "describe", "--directory-id", sb.primary_directory(seed)["DirectoryId"], "-o", "ids")
    assert run.stdout.split() == created
    clock.advance(5)
    run = wsctl("--sandbox", "describe", "--id", created[3])
    assert run.exit_code == 0
    assert "SANDBOX" in run.stdout and created[3] in run.stdout and "AVAILABLE" in run.stdout
    assert sb.counts()["DescribeWorkspaces"] == 2 + 2 + 1  # 30 in pages of 25, twice; one by ID


def test_a_thousand_workspaces_are_created_and_described_in_forty_calls_each():
    # How fast: bench/bench.py --only sandbox (milliseconds a call).
    seed = sb.reset("--users", "1000", "--time-scale", "0")
    c = sb.client()
    users = [f"user{i:04d}" for i in range(1, 1001)]
    created = _create_many(c, seed, users)
    pages = list(c.get_paginator("describe_workspaces").paginate(PaginationConfig={"PageSize": 25}))
    assert len(pages) == 40
    assert [w["WorkspaceId"] for p in pages for w in p["Workspaces"]] == created
    assert sb.counts() == {"CreateWorkspaces": 40, "DescribeWorkspaces": 40}
