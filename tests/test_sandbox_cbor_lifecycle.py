"""The lifecycle operations over Smithy RPC v2 CBOR: in process on the fake clock, and over HTTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests import sandbox_support as sb
from wsctl.sandbox import lifecycle


def _assert_cbor(request, **_):
    assert "/service/WorkspacesService/operation/" in request.url
    assert "X-Amz-Target" not in request.headers


def test_a_cbor_client_reboots_keeps_in_maintenance_and_migrates(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.cbor_client()
    c.meta.events.register_first("before-send.workspaces", _assert_cbor)
    wid = c.create_workspaces(Workspaces=[sb.request(seed, "user0001")])["PendingRequests"][0]["WorkspaceId"]
    clock.advance(lifecycle.PENDING_FOR + 0.1)
    answer = c.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": wid}, {"WorkspaceId": "ws-000000000"}])
    assert [(f["WorkspaceId"], f["ErrorCode"]) for f in answer["FailedRequests"]] == [
        ("ws-000000000", "ResourceNotFound.Workspace")
    ]
    assert c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["State"] == "REBOOTING"
    clock.advance(lifecycle.REBOOTING_FOR + 0.1)
    c.modify_workspace_state(WorkspaceId=wid, WorkspaceState="ADMIN_MAINTENANCE")
    with pytest.raises(ClientError) as caught:
        c.restore_workspace(WorkspaceId=wid)
    code, message, status = sb.error_of(caught)
    assert (code, status) == ("OperationNotSupportedException", 400) and "ADMIN_MAINTENANCE" in message
    [failed] = c.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}])["FailedRequests"]
    assert failed["ErrorCode"] == "InvalidResourceStateException"
    c.modify_workspace_state(WorkspaceId=wid, WorkspaceState="AVAILABLE")
    migrated = c.migrate_workspace(SourceWorkspaceId=wid, BundleId=sb.bundle_id(seed, "POWER"))
    assert migrated["SourceWorkspaceId"] == wid
    clock.advance(lifecycle.MIGRATING_FOR + 0.1)
    [ws] = c.describe_workspaces(WorkspaceIds=[migrated["TargetWorkspaceId"]])["Workspaces"]
    assert (ws["State"], ws["WorkspaceProperties"]["ComputeTypeName"]) == ("AVAILABLE", "POWER")
    assert c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"] == []
    assert sb.counts()["ModifyWorkspaceState"] == 2 and sb.counts()["MigrateWorkspace"] == 1


def test_cbor_over_http_stops_starts_rebuilds_and_terminates():
    seed = sb.reset("--time-scale", "0")
    with sb.served("--quiet") as (url, _):
        c = sb.cbor_client(url)
        c.meta.events.register_first("before-send.workspaces", _assert_cbor)
        wid = c.create_workspaces(Workspaces=[sb.request(seed, "user0001")])["PendingRequests"][0]["WorkspaceId"]
        assert c.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}])["FailedRequests"] == []
        assert c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["State"] == "STOPPED"
        assert c.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": wid}])["FailedRequests"] == []
        assert c.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": wid}])["FailedRequests"] == []
        assert c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["State"] == "AVAILABLE"
        assert c.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": wid}])["FailedRequests"] == []
        assert c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"] == []
        with pytest.raises(ClientError) as caught:
            c.restore_workspace(WorkspaceId=wid)
        assert sb.error_of(caught)[::2] == ("ResourceNotFoundException", 400)
