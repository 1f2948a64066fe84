"""The service object's lifecycle calls, on botocore's Stubber: chunking, per-item and per-call failures, retries."""

from __future__ import annotations

import pytest

from tests.stubs import stubbed_service
from wsctl.aws.lifecycle import ActionOutcome
from wsctl.errors import ServiceError
from wsctl.spec.actions import ACTIONS, batch_member

IDS = [f"ws-{n:09d}" for n in range(60)]


def test_batch_sizes_come_from_the_model():
    assert batch_member("StopWorkspaces") == ("StopWorkspaceRequests", 25)
    assert batch_member("TerminateWorkspaces") == ("TerminateWorkspaceRequests", 25)
    assert batch_member("RebuildWorkspaces") == ("RebuildWorkspaceRequests", 1)
    assert batch_member("RestoreWorkspace") is None


def test_sixty_stops_take_three_calls_and_failed_requests_fail_only_their_workspace():
    service, stub = stubbed_service()
    for chunk in (IDS[:25], IDS[25:50], IDS[50:]):
        failed = [{"WorkspaceId": chunk[0], "ErrorCode": "InvalidResourceState", "ErrorMessage": "busy"}]
        stub.add_response(
            "stop_workspaces",
            {"FailedRequests": failed},
            {"StopWorkspaceRequests": [{"WorkspaceId": i} for i in chunk]},
        )
    outcome = service.act(ACTIONS["stop"], IDS, ActionOutcome())
    stub.assert_no_pending_responses()
    assert outcome.calls == 3
    assert sorted(f["WorkspaceId"] for f in outcome.failed) == sorted([IDS[0], IDS[25], IDS[50]])
    assert sorted(outcome.requested) == sorted(set(IDS) - {IDS[0], IDS[25], IDS[50]})


def test_rebuild_sends_one_workspace_a_call():
    service, stub = stubbed_service()
    for workspace_id in IDS[:3]:
        stub.add_response(
            "rebuild_workspaces", {"FailedRequests": []}, {"RebuildWorkspaceRequests": [{"WorkspaceId": workspace_id}]}
        )
    outcome = service.act(ACTIONS["rebuild"], IDS[:3], ActionOutcome())
    assert (outcome.calls, outcome.requested) == (3, IDS[:3])


def test_a_refused_call_fails_the_workspaces_of_that_call_and_the_rest_go_on():
    service, stub = stubbed_service()
    stub.add_client_error(
        "terminate_workspaces", service_error_code="InvalidParameterValuesException", service_message="no"
    )
    stub.add_response("terminate_workspaces", {"FailedRequests": []})
    outcome = service.act(ACTIONS["terminate"], IDS[:30], ActionOutcome())
    assert [f["WorkspaceId"] for f in outcome.failed] == IDS[:25]
    assert {(f["ErrorCode"], f["ErrorMessage"]) for f in outcome.failed} == {("InvalidParameterValuesException", "no")}
    assert outcome.requested == IDS[25:30]


def test_operation_in_progress_is_tried_again_after_a_pause():
    service, stub = stubbed_service()
    stub.add_client_error("restore_workspace", service_error_code="OperationInProgressException")
    stub.add_response("restore_workspace", {}, {"WorkspaceId": IDS[0]})
    pauses: list[float] = []
    outcome = service.act(ACTIONS["restore"], IDS[:1], ActionOutcome(), sleep=pauses.append, in_progress_delays=(7,))
    assert (outcome.requested, outcome.retried, pauses) == (IDS[:1], 1, [7])


def test_migrate_sends_the_destination_bundle_and_keeps_the_new_id():
    service, stub = stubbed_service()
    stub.add_response(
        "migrate_workspace",
        {"SourceWorkspaceId": IDS[0], "TargetWorkspaceId": "ws-newnewnew"},
        {"SourceWorkspaceId": IDS[0], "BundleId": "wsb-0123abcd9"},
    )
    outcome = service.act(ACTIONS["migrate"], IDS[:1], ActionOutcome(), bundle_id="wsb-0123abcd9")
    assert outcome.migrated == [{"SourceWorkspaceId": IDS[0], "TargetWorkspaceId": "ws-newnewnew"}]


def test_maintenance_sends_the_state_it_is_asked_for():
    service, stub = stubbed_service()
    stub.add_response("modify_workspace_state", {}, {"WorkspaceId": IDS[0], "WorkspaceState": "ADMIN_MAINTENANCE"})
    stub.add_response("modify_workspace_state", {}, {"WorkspaceId": IDS[0], "WorkspaceState": "AVAILABLE"})
    service.act(ACTIONS["maintenance on"], IDS[:1], ActionOutcome())
    service.act(ACTIONS["maintenance off"], IDS[:1], ActionOutcome())
    stub.assert_no_pending_responses()


def test_bad_credentials_stop_the_run():
    service, stub = stubbed_service()
    stub.add_client_error("start_workspaces", service_error_code="ExpiredTokenException")
    with pytest.raises(ServiceError, match="expired"):
        service.act(ACTIONS["start"], IDS[:2], ActionOutcome())
