"""The rest of a WorkSpace's life in the sandbox, through a real botocore client: start, stop, reboot,
rebuild, restore, migrate, ADMIN_MAINTENANCE and terminate; their states, timings, errors and counts."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests import sandbox_support as sb
from wsctl.sandbox import lifecycle

# --- putting a WorkSpace into a state ---------------------------------------------------------------


def _setup(monkeypatch, *reset_args):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset(*reset_args)
    return clock, seed, sb.client()


def _create(clock, c, seed, user="user0001", compute="STANDARD", bundle=None, wait=True, **extra):
    request = sb.request(seed, user, compute, **extra)
    if bundle is not None:
        request["BundleId"] = bundle
    answer = c.create_workspaces(Workspaces=[request])
    assert answer["FailedRequests"] == []
    if wait:
        clock.advance(lifecycle.PENDING_FOR + 0.1)
    return answer["PendingRequests"][0]["WorkspaceId"]


def _describe(c, wid):
    found = c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"]
    assert len(found) == 1, found
    return found[0]


def _state(c, wid):
    return _describe(c, wid)["State"]


def _ok(answer):
    assert answer["FailedRequests"] == []
    return answer


def _one_failure(answer):
    [failed] = answer["FailedRequests"]
    return failed


def _refused(call):
    with pytest.raises(ClientError) as caught:
        call()
    return sb.error_of(caught)


def _other_bundle(seed):
    return sb.bundle_id(seed, "PERFORMANCE")


def _in_state(clock, c, seed, state):
    """A WorkSpace of user0001 in `state` (each reached through the API, as a user would)."""
    if state == "PENDING":
        wid = _create(clock, c, seed, wait=False)
        clock.advance(1)
        return wid
    if state == "ERROR":
        return _create(clock, c, seed, bundle=sb.failing_bundle_id(seed))
    wid = _create(clock, c, seed)
    steps = {
        "AVAILABLE": [],
        "STOPPING": ["stop"],
        "STOPPED": ["stop", "wait"],
        "STARTING": ["stop", "wait", "start"],
        "REBOOTING": ["reboot"],
        "REBUILDING": ["rebuild"],
        "RESTORING": ["restore"],
        "ADMIN_MAINTENANCE": ["maintenance"],
        "TERMINATING": ["terminate"],
        "TERMINATED": ["terminate", "wait"],
    }[state]
    for step in steps:
        if step == "wait":
            clock.advance(2.1)
        else:
            _act(c, seed, step, wid)
    assert _state(c, wid) == state
    return wid


def _act(c, seed, action, wid):
    """Run `action` on one WorkSpace: None if accepted, else (ErrorCode, ErrorMessage) however it came."""
    batch = {
        "start": lambda: c.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": wid}]),
        "stop": lambda: c.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}]),
        "reboot": lambda: c.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": wid}]),
        "rebuild": lambda: c.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": wid}]),
        "terminate": lambda: c.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": wid}]),
    }
    single = {
        "restore": lambda: c.restore_workspace(WorkspaceId=wid),
        "migrate": lambda: c.migrate_workspace(SourceWorkspaceId=wid, BundleId=_other_bundle(seed)),
        "maintenance": lambda: c.modify_workspace_state(WorkspaceId=wid, WorkspaceState="ADMIN_MAINTENANCE"),
        "available": lambda: c.modify_workspace_state(WorkspaceId=wid, WorkspaceState="AVAILABLE"),
    }
    if action in batch:
        failed = batch[action]()["FailedRequests"]
        if not failed:
            return None
        [item] = failed
        assert item["WorkspaceId"] == wid
        return item["ErrorCode"], item["ErrorMessage"]
    try:
        single[action]()
    except ClientError as exc:
        response: dict = dict(exc.response)
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
        return response["Error"]["Code"], response["Error"]["Message"]
    return None


# --- which states each operation is allowed from ----------------------------------------------------

STATES = (
    "PENDING",
    "AVAILABLE",
    "ERROR",
    "STOPPING",
    "STOPPED",
    "STARTING",
    "REBOOTING",
    "REBUILDING",
    "RESTORING",
    "ADMIN_MAINTENANCE",
    "TERMINATING",
    "TERMINATED",
)
# action: (states it is allowed from, the state it moves to at once, the error code otherwise)
RULES = {
    "start": ({"STOPPED"}, "STARTING", "InvalidResourceStateException"),
    "stop": ({"AVAILABLE", "ERROR"}, "STOPPING", "InvalidResourceStateException"),
    "reboot": ({"AVAILABLE", "REBOOTING"}, "REBOOTING", "InvalidResourceStateException"),
    "rebuild": ({"AVAILABLE", "ERROR", "STOPPED", "REBOOTING"}, "REBUILDING", "OperationNotSupportedException"),
    "restore": ({"AVAILABLE", "ERROR", "STOPPED"}, "RESTORING", "OperationNotSupportedException"),
    "migrate": ({"AVAILABLE", "STOPPED"}, "TERMINATING", "OperationNotSupportedException"),
    "maintenance": ({"AVAILABLE"}, "ADMIN_MAINTENANCE", "InvalidResourceStateException"),
    "available": ({"ADMIN_MAINTENANCE"}, "AVAILABLE", "InvalidResourceStateException"),
    "terminate": (set(STATES), "TERMINATING", None),
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(RULES))
def test_each_operation_from_each_state(monkeypatch, action, state):
    clock, seed, c = _setup(monkeypatch)
    wid = _in_state(clock, c, seed, state)
    allowed, moves_to, code = RULES[action]
    refused = _act(c, seed, action, wid)
    if state in allowed:
        assert refused is None
        expected = "TERMINATED" if (action, state) == ("terminate", "TERMINATED") else moves_to
        assert _state(c, wid) == expected
    else:
        assert refused is not None
        assert refused[0] == code
        assert wid in refused[1] and state in refused[1]
        assert _state(c, wid) == state  # a refusal changes nothing


# --- transitions and timings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "during", "seconds"),
    [
        ("reboot", "REBOOTING", lifecycle.REBOOTING_FOR),
        ("rebuild", "REBUILDING", lifecycle.REBUILDING_FOR),
        ("restore", "RESTORING", lifecycle.RESTORING_FOR),
    ],
)
def test_reboot_rebuild_and_restore_take_their_time_then_are_available(monkeypatch, action, during, seconds):
    clock, seed, c = _setup(monkeypatch)
    wid = _create(clock, c, seed)
    before = _describe(c, wid)
    assert _act(c, seed, action, wid) is None
    clock.advance(seconds - 0.05)
    ws = _describe(c, wid)
    assert ws["State"] == during
    assert ws["IpAddress"] == before["IpAddress"] and ws["ComputerName"] == before["ComputerName"]
    clock.advance(0.1)
    ws = _describe(c, wid)
    assert ws["State"] == "AVAILABLE"
    assert ws["WorkspaceProperties"] == before["WorkspaceProperties"]


def test_stop_then_start_take_their_time(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    wid = _create(clock, c, seed)
    _ok(c.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}]))
    clock.advance(lifecycle.STOPPING_FOR - 0.05)
    assert _state(c, wid) == "STOPPING"
    clock.advance(0.1)
    assert _state(c, wid) == "STOPPED"
    _ok(c.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": wid}]))
    clock.advance(lifecycle.STARTING_FOR - 0.05)
    assert _state(c, wid) == "STARTING"
    clock.advance(0.1)
    assert _state(c, wid) == "AVAILABLE"


def test_time_scale_multiplies_the_lifecycle_durations(monkeypatch):
    clock, seed, c = _setup(monkeypatch, "--time-scale", "10")
    wid = _create(clock, c, seed, wait=False)
    clock.advance(lifecycle.PENDING_FOR * 10 + 1)
    _ok(c.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": wid}]))
    clock.advance(lifecycle.REBOOTING_FOR * 10 - 1)
    assert _state(c, wid) == "REBOOTING"
    clock.advance(2)
    assert _state(c, wid) == "AVAILABLE"


def test_a_reboot_while_rebooting_starts_it_again(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    wid = _create(clock, c, seed)
    _ok(c.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": wid}]))
    clock.advance(lifecycle.REBOOTING_FOR - 1)
    _ok(c.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": wid}]))
    clock.advance(1.5)
    assert _state(c, wid) == "REBOOTING"
    clock.advance(lifecycle.REBOOTING_FOR)
    assert _state(c, wid) == "AVAILABLE"


def test_batches_change_many_and_fail_only_the_items_that_cannot(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    answer = c.create_workspaces(Workspaces=[sb.request(seed, f"user000{n}") for n in (1, 2, 3)])
    first, second, third = (w["WorkspaceId"] for w in answer["PendingRequests"])
    clock.advance(lifecycle.PENDING_FOR + 0.1)
    # Named twice: stopped once, and the repeat is no failure (not "is STOPPING").
    _ok(c.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": third}, {"WorkspaceId": third}]))
    answer = c.reboot_workspaces(
        RebootWorkspaceRequests=[
            {"WorkspaceId": first},
            {"WorkspaceId": "ws-000000000"},
            {"WorkspaceId": second},
            {"WorkspaceId": third},
            {"WorkspaceId": first},
        ]
    )
    assert answer["FailedRequests"] == [
        {
            "WorkspaceId": "ws-000000000",
            "ErrorCode": "ResourceNotFound.Workspace",
            "ErrorMessage": "The WorkSpace ws-000000000 could not be found.",
        },
        {
            "WorkspaceId": third,
            "ErrorCode": "InvalidResourceStateException",
            "ErrorMessage": f"The WorkSpace {third} is STOPPING; only an AVAILABLE, an UNHEALTHY or a REBOOTING "
            "WorkSpace can be rebooted.",
        },
    ]
    assert [_state(c, w) for w in (first, second, third)] == ["REBOOTING", "REBOOTING", "STOPPING"]


@pytest.mark.parametrize(
    ("call", "key"),
    [
        ("start_workspaces", "StartWorkspaceRequests"),
        ("stop_workspaces", "StopWorkspaceRequests"),
        ("reboot_workspaces", "RebootWorkspaceRequests"),
        ("terminate_workspaces", "TerminateWorkspaceRequests"),
    ],
)
def test_unknown_ids_and_more_than_25_in_a_batch(monkeypatch, call, key):
    _, _, c = _setup(monkeypatch)
    failed = _one_failure(getattr(c, call)(**{key: [{"WorkspaceId": "ws-000000000"}]}))
    assert (failed["WorkspaceId"], failed["ErrorCode"]) == ("ws-000000000", "ResourceNotFound.Workspace")
    code, message, status = _refused(
        lambda: getattr(c, call)(**{key: [{"WorkspaceId": f"ws-{n:09d}"} for n in range(26)]})
    )
    assert (code, status) == ("ValidationException", 400)
    assert "Member must have length less than or equal to 25" in message


@pytest.mark.parametrize(
    ("call", "key"), [("start_workspaces", "StartWorkspaceRequests"), ("stop_workspaces", "StopWorkspaceRequests")]
)
def test_a_start_or_stop_request_without_an_id_is_a_failed_item(monkeypatch, call, key):
    # The model leaves StartRequest.WorkspaceId and StopRequest.WorkspaceId optional.
    _, _, c = _setup(monkeypatch)
    failed = _one_failure(getattr(c, call)(**{key: [{}]}))
    assert failed["ErrorCode"] == "InvalidParameterValuesException" and "WorkspaceId" not in failed


def test_always_on_workspaces_cannot_be_stopped_or_started(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    wid = _create(clock, c, seed, WorkspaceProperties={"RunningMode": "ALWAYS_ON"})
    for call, key in (("stop_workspaces", "StopWorkspaceRequests"), ("start_workspaces", "StartWorkspaceRequests")):
        failed = _one_failure(getattr(c, call)(**{key: [{"WorkspaceId": wid}]}))
        assert failed["ErrorCode"] == "UnsupportedWorkspaceConfigurationException"
        assert "ALWAYS_ON" in failed["ErrorMessage"]
    # Reboot does not care about the running mode.
    _ok(c.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": wid}]))


def test_a_manual_workspace_can_be_stopped_and_started(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    wid = _create(clock, c, seed, WorkspaceProperties={"RunningMode": "MANUAL"})
    _ok(c.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}]))
    clock.advance(lifecycle.STOPPING_FOR + 0.1)
    _ok(c.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": wid}]))
    assert _state(c, wid) == "STARTING"


def test_rebuild_takes_exactly_one_workspace(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    wid = _create(clock, c, seed)
    code, message, _ = _refused(
        lambda: c.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": wid}, {"WorkspaceId": wid}])
    )
    assert code == "ValidationException" and "less than or equal to 1" in message
    failed = _one_failure(c.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": "ws-000000000"}]))
    assert (failed["WorkspaceId"], failed["ErrorCode"]) == ("ws-000000000", "ResourceNotFound.Workspace")
    assert _state(c, wid) == "AVAILABLE"


@pytest.mark.parametrize(
    "call",
    [
        lambda c, seed: c.restore_workspace(WorkspaceId="ws-000000000"),
        lambda c, seed: c.migrate_workspace(SourceWorkspaceId="ws-000000000", BundleId=sb.bundle_id(seed)),
        lambda c, seed: c.modify_workspace_state(WorkspaceId="ws-000000000", WorkspaceState="ADMIN_MAINTENANCE"),
    ],
    ids=["restore", "migrate", "modify-state"],
)
def test_single_workspace_operations_answer_resource_not_found(monkeypatch, call):
    _, seed, c = _setup(monkeypatch)
    code, message, status = _refused(lambda: call(c, seed))
    assert (code, status) == ("ResourceNotFoundException", 400)
    assert "ws-000000000" in message


def test_modify_workspace_state_checks_the_enum(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    wid = _create(clock, c, seed)
    code, message, _ = _refused(lambda: c.modify_workspace_state(WorkspaceId=wid, WorkspaceState="STOPPED"))
    assert code == "ValidationException" and "STOPPED" in message
    assert _state(c, wid) == "AVAILABLE"


# --- ADMIN_MAINTENANCE ----------------------------------------------------------------------------


def test_admin_maintenance_refuses_reboot_stop_start_rebuild_and_restore_until_set_back(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    wid = _create(clock, c, seed)
    c.modify_workspace_state(WorkspaceId=wid, WorkspaceState="ADMIN_MAINTENANCE")
    ws = _describe(c, wid)
    assert ws["State"] == "ADMIN_MAINTENANCE" and ws["IpAddress"]  # at once, no transition
    refusals = {action: _act(c, seed, action, wid) for action in ("reboot", "stop", "start", "rebuild", "restore")}
    assert {a: r[0] if r else None for a, r in refusals.items()} == {
        "reboot": "InvalidResourceStateException",
        "stop": "InvalidResourceStateException",
        "start": "InvalidResourceStateException",
        "rebuild": "OperationNotSupportedException",
        "restore": "OperationNotSupportedException",
    }
    for _, message in filter(None, refusals.values()):
        assert "ADMIN_MAINTENANCE" in message and "ModifyWorkspaceState" in message
    clock.advance(60)
    assert _state(c, wid) == "ADMIN_MAINTENANCE"  # it stays there: nothing ends it but a call
    c.modify_workspace_state(WorkspaceId=wid, WorkspaceState="AVAILABLE")
    assert _state(c, wid) == "AVAILABLE"
    assert _act(c, seed, "reboot", wid) is None


# --- the WorkSpace of a bundle whose image fails ------------------------------------------------------


def test_a_workspace_whose_image_fails_fails_again_after_rebuild_restore_and_start(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    wid = _create(clock, c, seed, bundle=sb.failing_bundle_id(seed))
    assert _describe(c, wid)["ErrorCode"] == "ResourceCreationFailed"
    _ok(c.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": wid}]))
    assert "ErrorCode" not in _describe(c, wid)
    clock.advance(lifecycle.REBUILDING_FOR + 0.1)
    ws = _describe(c, wid)
    assert (ws["State"], ws["ErrorCode"]) == ("ERROR", "ResourceCreationFailed")
    c.restore_workspace(WorkspaceId=wid)
    clock.advance(lifecycle.RESTORING_FOR + 0.1)
    assert _state(c, wid) == "ERROR"
    _ok(c.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}]))
    clock.advance(lifecycle.STOPPING_FOR + 0.1)
    assert _state(c, wid) == "STOPPED" and "ErrorCode" not in _describe(c, wid)
    _ok(c.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": wid}]))
    clock.advance(lifecycle.STARTING_FOR + 0.1)
    assert _state(c, wid) == "ERROR"


# --- MigrateWorkspace -------------------------------------------------------------------------------


def test_migrate_creates_a_workspace_from_the_target_bundle_and_terminates_the_source(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    props = {"RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 120}
    source = _create(clock, c, seed, WorkspaceProperties=props, UserVolumeEncryptionEnabled=True)
    clock.advance(lifecycle.PENDING_ENCRYPTED_FOR)
    before = _describe(c, source)
    target_bundle = sb.bundle_id(seed, "POWER")
    answer = c.migrate_workspace(SourceWorkspaceId=source, BundleId=target_bundle)
    target = answer["TargetWorkspaceId"]
    assert answer["SourceWorkspaceId"] == source and target != source
    assert _state(c, source) == "TERMINATING"
    assert c.describe_workspaces(WorkspaceIds=[target])["Workspaces"] == []  # not visible at once, as a create
    clock.advance(lifecycle.VISIBLE_AFTER)
    ws = _describe(c, target)
    assert ws["State"] == "PENDING"
    assert (ws["DirectoryId"], ws["UserName"], ws["BundleId"]) == (before["DirectoryId"], "user0001", target_bundle)
    assert ws["UserVolumeEncryptionEnabled"] is True
    assert ws["WorkspaceProperties"] == {
        "RunningMode": "AUTO_STOP",
        "RunningModeAutoStopTimeoutInMinutes": 120,
        "RootVolumeSizeGib": 175,
        "UserVolumeSizeGib": 100,
        "ComputeTypeName": "POWER",
    }
    clock.advance(lifecycle.MIGRATING_FOR - lifecycle.VISIBLE_AFTER - 0.05)
    assert _state(c, target) == "PENDING"
    assert c.describe_workspaces(WorkspaceIds=[source])["Workspaces"] == []  # terminated and gone meanwhile
    clock.advance(0.1)
    ws = _describe(c, target)
    assert ws["State"] == "AVAILABLE" and ws["IpAddress"] and ws["ComputerName"] != before["ComputerName"]
    directory = sb.primary_directory(seed)["DirectoryId"]
    mine = c.describe_workspaces(DirectoryId=directory, UserName="user0001")["Workspaces"]
    assert [w["WorkspaceId"] for w in mine] == [target]
    again = c.create_workspaces(Workspaces=[sb.request(seed, "user0001")])
    assert _one_failure(again)["ErrorCode"] == "ResourceExists.WorkSpace"


def test_migrate_from_stopped_keeps_volumes_that_are_larger_than_the_bundles(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    big = {"UserVolumeSizeGib": 300}
    source = _create(clock, c, seed, "user0001", "POWER", WorkspaceProperties=big)
    _ok(c.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": source}]))
    clock.advance(lifecycle.STOPPING_FOR + 0.1)
    target = c.migrate_workspace(SourceWorkspaceId=source, BundleId=sb.bundle_id(seed, "STANDARD"))["TargetWorkspaceId"]
    clock.advance(lifecycle.MIGRATING_FOR + 0.1)
    props = _describe(c, target)["WorkspaceProperties"]
    assert (props["ComputeTypeName"], props["RootVolumeSizeGib"], props["UserVolumeSizeGib"]) == ("STANDARD", 175, 300)


def test_migrate_refusals_change_nothing(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    source = _create(clock, c, seed)
    graphics = _create(clock, c, seed, "user0002", "GRAPHICS_G4DN")
    cases = [
        (lambda: c.migrate_workspace(SourceWorkspaceId=source, BundleId="wsb-000000000"), "ResourceNotFoundException"),
        (
            lambda: c.migrate_workspace(SourceWorkspaceId=source, BundleId=sb.bundle_id(seed)),
            "InvalidParameterValuesException",
        ),
        # 100/100 GiB from Graphics.g4dn is not an allowed pair on STANDARD.
        (
            lambda: c.migrate_workspace(SourceWorkspaceId=graphics, BundleId=sb.bundle_id(seed)),
            "InvalidParameterValuesException",
        ),
    ]
    for call, code in cases:
        assert _refused(call)[0] == code
    c.modify_workspace_properties(WorkspaceId=source, WorkspaceProperties={"ComputeTypeName": "VALUE"})
    code, message, _ = _refused(lambda: c.migrate_workspace(SourceWorkspaceId=source, BundleId=_other_bundle(seed)))
    assert code == "OperationInProgressException" and source in message
    assert [w["State"] for w in c.describe_workspaces()["Workspaces"]] == ["AVAILABLE", "AVAILABLE"]


def test_a_migration_to_a_failing_image_terminates_the_target_and_keeps_the_source(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    source = _create(clock, c, seed)
    broken = sb.failing_bundle_id(seed)
    target = c.migrate_workspace(SourceWorkspaceId=source, BundleId=broken)["TargetWorkspaceId"]
    clock.advance(lifecycle.VISIBLE_AFTER)
    assert _state(c, target) == "PENDING" and _state(c, source) == "AVAILABLE"
    code, _, _ = _refused(lambda: c.migrate_workspace(SourceWorkspaceId=source, BundleId=_other_bundle(seed)))
    assert code == "OperationInProgressException"
    clock.advance(lifecycle.MIGRATING_FOR - lifecycle.VISIBLE_AFTER + 0.1)
    assert _state(c, target) == "TERMINATING"
    clock.advance(lifecycle.TERMINATING_FOR)
    ws = _describe(c, target)
    assert ws["State"] == "TERMINATED" and "IpAddress" not in ws
    clock.advance(lifecycle.TERMINATED_SHOWN_FOR)
    assert c.describe_workspaces(WorkspaceIds=[target])["Workspaces"] == []
    assert _describe(c, source)["BundleId"] == sb.bundle_id(seed) and _state(c, source) == "AVAILABLE"
    # Nothing is left in progress: the source can be migrated again.
    again = c.migrate_workspace(SourceWorkspaceId=source, BundleId=_other_bundle(seed))
    assert again["TargetWorkspaceId"] not in (source, target)


# --- TerminateWorkspaces ----------------------------------------------------------------------------


def test_terminate_from_a_transition_and_the_id_disappears(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    wid = _create(clock, c, seed)
    _ok(c.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": wid}]))
    _ok(c.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": wid}, {"WorkspaceId": wid}]))
    clock.advance(lifecycle.TERMINATING_FOR - 0.05)
    assert _state(c, wid) == "TERMINATING"
    clock.advance(0.1)
    ws = _describe(c, wid)
    assert ws["State"] == "TERMINATED" and ws["ModificationStates"] == []
    clock.advance(lifecycle.TERMINATED_SHOWN_FOR)
    assert c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"] == []
    assert c.describe_workspaces()["Workspaces"] == []
    for action in ("reboot", "stop", "start", "rebuild", "terminate"):
        assert _act(c, seed, action, wid) == ("ResourceNotFound.Workspace", f"The WorkSpace {wid} could not be found.")
    for action in ("restore", "migrate", "maintenance"):
        assert _act(c, seed, action, wid)[0] == "ResourceNotFoundException"


# --- request counts -------------------------------------------------------------------------------


def test_every_lifecycle_call_is_counted_refused_ones_too(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    wid = _create(clock, c, seed)
    _ok(c.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": wid}]))
    clock.advance(lifecycle.REBOOTING_FOR + 0.1)
    _ok(c.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": wid}]))
    clock.advance(lifecycle.REBUILDING_FOR + 0.1)
    c.restore_workspace(WorkspaceId=wid)
    _refused(lambda: c.restore_workspace(WorkspaceId=wid))  # RESTORING: refused, still counted
    clock.advance(lifecycle.RESTORING_FOR + 0.1)
    c.modify_workspace_state(WorkspaceId=wid, WorkspaceState="ADMIN_MAINTENANCE")
    c.modify_workspace_state(WorkspaceId=wid, WorkspaceState="AVAILABLE")
    _ok(c.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}]))
    clock.advance(lifecycle.STOPPING_FOR + 0.1)
    _ok(c.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": wid}]))
    clock.advance(lifecycle.STARTING_FOR + 0.1)
    target = c.migrate_workspace(SourceWorkspaceId=wid, BundleId=_other_bundle(seed))["TargetWorkspaceId"]
    _ok(c.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": target}]))
    assert sb.counts() == {
        "CreateWorkspaces": 1,
        "RebootWorkspaces": 1,
        "RebuildWorkspaces": 1,
        "RestoreWorkspace": 2,
        "ModifyWorkspaceState": 2,
        "StopWorkspaces": 1,
        "StartWorkspaces": 1,
        "MigrateWorkspace": 1,
        "TerminateWorkspaces": 1,
    }
    requests = sb.info()["Requests"]
    assert requests["RestoreWorkspace"] == 2 and requests["MigrateWorkspace"] == 1
