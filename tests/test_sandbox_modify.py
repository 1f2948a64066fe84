"""The sandbox's ModifyWorkspaceProperties: rules, ModificationStates over time, errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests import sandbox_support as sb


def _available(monkeypatch, *users, compute="STANDARD", reset_args=()):
    """A clock, a client and AVAILABLE WorkSpaces for `users` (IDs in order)."""
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset(*reset_args)
    c = sb.client()
    answer = c.create_workspaces(Workspaces=[sb.request(seed, u, compute) for u in users])
    assert answer["FailedRequests"] == []
    clock.advance(5)
    return clock, c, [w["WorkspaceId"] for w in answer["PendingRequests"]]


def _describe(c, wid):
    [ws] = c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"]
    return ws


def _refused(call):
    with pytest.raises(ClientError) as caught:
        call()
    return sb.error_of(caught)


def test_running_mode_changes_apply_at_once(monkeypatch):
    _, c, [wid] = _available(monkeypatch, "user0001")
    answer = c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"RunningMode": "ALWAYS_ON"})
    assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == {}
    ws = _describe(c, wid)
    assert ws["WorkspaceProperties"]["RunningMode"] == "ALWAYS_ON"
    assert "RunningModeAutoStopTimeoutInMinutes" not in ws["WorkspaceProperties"]
    assert ws["ModificationStates"] == []
    c.modify_workspace_properties(
        WorkspaceId=wid, WorkspaceProperties={"RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 180}
    )
    props = _describe(c, wid)["WorkspaceProperties"]
    assert (props["RunningMode"], props["RunningModeAutoStopTimeoutInMinutes"]) == ("AUTO_STOP", 180)
    c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"RunningModeAutoStopTimeoutInMinutes": 120})
    assert _describe(c, wid)["WorkspaceProperties"]["RunningModeAutoStopTimeoutInMinutes"] == 120
    c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"RunningMode": "MANUAL"})
    assert _describe(c, wid)["WorkspaceProperties"]["RunningMode"] == "MANUAL"


def test_compute_change_shows_in_modification_states_then_applies(monkeypatch):
    clock, c, [wid] = _available(monkeypatch, "user0001")
    c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"ComputeTypeName": "POWER"})
    ws = _describe(c, wid)
    assert ws["State"] == "AVAILABLE"
    assert ws["ModificationStates"] == [{"Resource": "COMPUTE_TYPE", "State": "UPDATE_INITIATED"}]
    assert ws["WorkspaceProperties"]["ComputeTypeName"] == "STANDARD"
    clock.advance(1.5)
    assert _describe(c, wid)["ModificationStates"] == [{"Resource": "COMPUTE_TYPE", "State": "UPDATE_IN_PROGRESS"}]
    # Meanwhile, another modification is refused.
    code, message, status = _refused(
        lambda: c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"RunningMode": "ALWAYS_ON"})
    )
    assert (code, status) == ("OperationInProgressException", 400)
    assert message == "The properties of this WorkSpace are currently being modified. Try again in a moment."
    clock.advance(2.5)
    ws = _describe(c, wid)
    assert ws["ModificationStates"] == []
    assert ws["WorkspaceProperties"]["ComputeTypeName"] == "POWER"
    assert ws["WorkspaceProperties"]["RunningMode"] == "AUTO_STOP"  # the refused call changed nothing
    c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"RunningMode": "ALWAYS_ON"})


def test_volume_change_takes_longer_and_applies(monkeypatch):
    clock, c, [wid] = _available(monkeypatch, "user0001")
    c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"UserVolumeSizeGib": 100})
    assert _describe(c, wid)["ModificationStates"] == [{"Resource": "USER_VOLUME", "State": "UPDATE_INITIATED"}]
    clock.advance(4.5)
    assert _describe(c, wid)["ModificationStates"] == [{"Resource": "USER_VOLUME", "State": "UPDATE_IN_PROGRESS"}]
    clock.advance(1.5)
    props = _describe(c, wid)["WorkspaceProperties"]
    assert (props["RootVolumeSizeGib"], props["UserVolumeSizeGib"]) == (80, 100)
    # Now root may grow to 175 (80/100 -> 175/100).
    c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"RootVolumeSizeGib": 175})
    assert _describe(c, wid)["ModificationStates"] == [{"Resource": "ROOT_VOLUME", "State": "UPDATE_INITIATED"}]
    clock.advance(6)
    assert _describe(c, wid)["WorkspaceProperties"]["RootVolumeSizeGib"] == 175


def test_the_update_fails_user_gets_update_failed_until_the_next_modify(monkeypatch):
    clock, c, [wid, other] = _available(monkeypatch, "sandbox-update-fails", "user0001")
    c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"ComputeTypeName": "PERFORMANCE"})
    c.modify_workspace_properties(WorkspaceId=other, WorkspaceProperties={"ComputeTypeName": "PERFORMANCE"})
    clock.advance(4)
    ws = _describe(c, wid)
    assert ws["ModificationStates"] == [{"Resource": "COMPUTE_TYPE", "State": "UPDATE_FAILED"}]
    assert ws["WorkspaceProperties"]["ComputeTypeName"] == "STANDARD"
    assert _describe(c, other)["WorkspaceProperties"]["ComputeTypeName"] == "PERFORMANCE"
    clock.advance(60)
    assert _describe(c, wid)["ModificationStates"][0]["State"] == "UPDATE_FAILED"  # kept
    c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"RunningMode": "ALWAYS_ON"})
    assert _describe(c, wid)["ModificationStates"] == []
    c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"UserVolumeSizeGib": 100})
    clock.advance(6)
    assert _describe(c, wid)["ModificationStates"] == [{"Resource": "USER_VOLUME", "State": "UPDATE_FAILED"}]


def test_modify_outside_available_or_stopped_is_refused(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    wid = c.create_workspaces(Workspaces=[sb.request(seed, "user0001")])["PendingRequests"][0]["WorkspaceId"]
    clock.advance(1)
    code, message, _ = _refused(
        lambda: c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"RunningMode": "ALWAYS_ON"})
    )
    assert code == "InvalidResourceStateException"
    assert "PENDING" in message and wid in message
    clock.advance(4)
    c.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": wid}])
    code, _, _ = _refused(
        lambda: c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"RunningMode": "ALWAYS_ON"})
    )
    assert code == "InvalidResourceStateException"
    clock.advance(4)
    code, _, _ = _refused(
        lambda: c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"RunningMode": "ALWAYS_ON"})
    )
    assert code == "ResourceNotFoundException"


def test_unknown_workspace_is_resource_not_found(monkeypatch):
    sb.fake_clock(monkeypatch)
    sb.reset()
    code, message, status = _refused(
        lambda: sb.client().modify_workspace_properties(
            WorkspaceId="ws-000000000", WorkspaceProperties={"RunningMode": "ALWAYS_ON"}
        )
    )
    assert (code, status) == ("ResourceNotFoundException", 400)
    assert "ws-000000000" in message


def test_errors_of_the_workspace_in_error_state(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    broken = {**sb.request(seed, "user0001"), "BundleId": sb.failing_bundle_id(seed)}
    wid = c.create_workspaces(Workspaces=[broken])["PendingRequests"][0]["WorkspaceId"]
    clock.advance(6)
    code, message, _ = _refused(
        lambda: c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"RunningMode": "ALWAYS_ON"})
    )
    assert code == "InvalidResourceStateException" and "ERROR" in message


@pytest.mark.parametrize(
    ("props", "code", "message"),
    [
        ({"RootVolumeSizeGib": 60}, "InvalidParameterValuesException", "cannot shrink"),
        ({"UserVolumeSizeGib": 10}, "InvalidParameterValuesException", "cannot shrink"),
        (
            {"RootVolumeSizeGib": 175, "UserVolumeSizeGib": 100},
            "InvalidParameterValuesException",
            "cannot both grow in one call",
        ),
        ({"RootVolumeSizeGib": 175}, "InvalidParameterValuesException", "175 GiB with user 50 GiB"),
        ({"UserVolumeSizeGib": 3000}, "InvalidParameterValuesException", "outside 1-2000"),
        (
            {"ComputeTypeName": "POWER", "UserVolumeSizeGib": 100},
            "InvalidParameterValuesException",
            "cannot change in the same call",
        ),
        (
            {"RunningMode": "ALWAYS_ON", "RunningModeAutoStopTimeoutInMinutes": 60},
            "InvalidParameterValuesException",
            "only to running mode AUTO_STOP",
        ),
        ({"RunningModeAutoStopTimeoutInMinutes": 45}, "InvalidParameterValuesException", "not a multiple of 60"),
        ({"ComputeTypeName": "GRAPHICS_G4DN"}, "UnsupportedWorkspaceConfigurationException", "STANDARD can change"),
    ],
)
def test_rule_violations(monkeypatch, props, code, message):
    _, c, [wid] = _available(monkeypatch, "user0001")
    got, text, status = _refused(lambda: c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties=props))
    assert (got, status) == (code, 400)
    assert message in text
    # A refused call changes nothing and starts nothing.
    ws = _describe(c, wid)
    assert ws["ModificationStates"] == []
    assert ws["WorkspaceProperties"]["ComputeTypeName"] == "STANDARD"
    assert (ws["WorkspaceProperties"]["RootVolumeSizeGib"], ws["WorkspaceProperties"]["UserVolumeSizeGib"]) == (80, 50)


@pytest.mark.parametrize(
    ("compute", "target", "allowed"),
    [
        ("GRAPHICS_G4DN", "GRAPHICSPRO_G4DN", True),
        ("GRAPHICS_G4DN", "POWER", False),
        ("GRAPHICS", "GRAPHICSPRO", False),
        ("VALUE", "POWERPRO", True),
    ],
)
def test_compute_families(monkeypatch, compute, target, allowed):
    clock, c, [wid] = _available(monkeypatch, "user0001", compute=compute)
    call = lambda: c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"ComputeTypeName": target})  # noqa: E731
    if allowed:
        call()
        clock.advance(4)
        assert _describe(c, wid)["WorkspaceProperties"]["ComputeTypeName"] == target
    else:
        assert _refused(call)[0] == "UnsupportedWorkspaceConfigurationException"


def test_manual_needs_a_core_account(monkeypatch):
    _, c, [wid] = _available(monkeypatch, "user0001", reset_args=("--no-core",))
    code, message, _ = _refused(
        lambda: c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"RunningMode": "MANUAL"})
    )
    assert code == "InvalidParameterValuesException"
    assert "MANUAL" in message and "WorkSpaces Core" in message and "allow-listed" in message
    assert _describe(c, wid)["WorkspaceProperties"]["RunningMode"] == "AUTO_STOP"


def test_stop_and_start_and_modify_while_stopped(monkeypatch):
    clock, c, [wid, always_on] = _available(monkeypatch, "user0001", "user0002")
    c.modify_workspace_properties(WorkspaceId=always_on, WorkspaceProperties={"RunningMode": "ALWAYS_ON"})
    answer = c.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}, {"WorkspaceId": always_on}])
    [failed] = answer["FailedRequests"]
    assert failed["WorkspaceId"] == always_on and "ALWAYS_ON" in failed["ErrorMessage"]
    assert _describe(c, wid)["State"] == "STOPPING"
    code, _, _ = _refused(
        lambda: c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"ComputeTypeName": "VALUE"})
    )
    assert code == "InvalidResourceStateException"
    clock.advance(2)
    assert _describe(c, wid)["State"] == "STOPPED"
    # A STOPPED WorkSpace may be modified.
    c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"ComputeTypeName": "VALUE"})
    clock.advance(4)
    ws = _describe(c, wid)
    assert (ws["State"], ws["WorkspaceProperties"]["ComputeTypeName"]) == ("STOPPED", "VALUE")
    again = c.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}])["FailedRequests"]
    assert again[0]["ErrorCode"] == "InvalidResourceStateException"
    assert c.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": wid}])["FailedRequests"] == []
    assert _describe(c, wid)["State"] == "STARTING"
    clock.advance(2)
    assert _describe(c, wid)["State"] == "AVAILABLE"
    missing = c.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": "ws-000000000"}])["FailedRequests"]
    assert missing[0]["ErrorCode"] == "ResourceNotFound.Workspace"
