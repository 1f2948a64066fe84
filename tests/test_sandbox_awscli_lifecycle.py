"""The AWS CLI (v1) drives `wsctl sandbox serve` through the rest of a WorkSpace's life over HTTP."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests import sandbox_support as sb

pytestmark = [
    pytest.mark.crosscheck,
    pytest.mark.skipif(
        not (Path(sys.executable).parent / "aws").exists(),
        reason="the AWS CLI (awscli, a test dependency) is not installed",
    ),
]

AWS = Path(sys.executable).parent / "aws"
_aws = sb.aws_cli
_ok = sb.aws_ok


def _states(url, *ids):
    found = _ok(_aws(url, "describe-workspaces", "--workspace-ids", *ids))["Workspaces"]
    return {w["WorkspaceId"]: w["State"] for w in found}


def test_aws_cli_stops_starts_reboots_rebuilds_migrates_and_terminates():
    seed = sb.reset("--time-scale", "0")  # every transition is over by the next call
    created = sb.client().create_workspaces(Workspaces=[sb.request(seed, f"user000{n}") for n in (1, 2, 3)])
    first, second, third = (w["WorkspaceId"] for w in created["PendingRequests"])
    target_bundle = sb.bundle_id(seed, "PERFORMANCE")
    with sb.served("--quiet") as (url, _):
        requests = [f"WorkspaceId={first}", "WorkspaceId=ws-000000000"]
        stopped = _ok(_aws(url, "stop-workspaces", "--stop-workspace-requests", *requests))
        assert stopped["FailedRequests"] == [
            {
                "WorkspaceId": "ws-000000000",
                "ErrorCode": "ResourceNotFound.Workspace",
                "ErrorMessage": "The WorkSpace ws-000000000 could not be found.",
            }
        ]
        assert _states(url, first) == {first: "STOPPED"}
        # A second stop of a STOPPED WorkSpace is a failed item inside a successful answer.
        again = _ok(_aws(url, "stop-workspaces", "--stop-workspace-requests", f"WorkspaceId={first}"))
        assert [f["ErrorCode"] for f in again["FailedRequests"]] == ["InvalidResourceStateException"]
        assert _ok(_aws(url, "start-workspaces", "--start-workspace-requests", f"WorkspaceId={first}")) == {
            "FailedRequests": []
        }
        assert _states(url, first) == {first: "AVAILABLE"}

        # The CLI's shorthand for a list of one-required-member structures is the bare values.
        both = [first, second]
        rebooted = _ok(_aws(url, "reboot-workspaces", "--reboot-workspace-requests", *both))
        assert rebooted["FailedRequests"] == []
        assert _ok(_aws(url, "rebuild-workspaces", "--rebuild-workspace-requests", second)) == {"FailedRequests": []}
        two = _aws(url, "rebuild-workspaces", "--rebuild-workspace-requests", *both)
        assert two.returncode != 0 and "ValidationException" in two.stderr
        assert _states(url, first, second) == {first: "AVAILABLE", second: "AVAILABLE"}

        _ok(_aws(url, "modify-workspace-state", "--workspace-id", second, "--workspace-state", "ADMIN_MAINTENANCE"))
        restore = _aws(url, "restore-workspace", "--workspace-id", second)
        assert restore.returncode != 0
        assert "OperationNotSupportedException" in restore.stderr and "ADMIN_MAINTENANCE" in restore.stderr

        migrated = _ok(_aws(url, "migrate-workspace", "--source-workspace-id", third, "--bundle-id", target_bundle))
        target = migrated["TargetWorkspaceId"]
        assert migrated["SourceWorkspaceId"] == third and target != third
        [ws] = _ok(_aws(url, "describe-workspaces", "--workspace-ids", target))["Workspaces"]
        assert (ws["State"], ws["BundleId"], ws["UserName"]) == ("AVAILABLE", target_bundle, "user0003")
        assert ws["WorkspaceProperties"]["ComputeTypeName"] == "PERFORMANCE"
        assert _states(url, third) == {}  # the source is terminated, and gone at once at time scale 0
        missing = _aws(url, "migrate-workspace", "--source-workspace-id", third, "--bundle-id", target_bundle)
        assert missing.returncode != 0 and "ResourceNotFoundException" in missing.stderr

        terminated = _ok(_aws(url, "terminate-workspaces", "--terminate-workspace-requests", first))
        assert terminated["FailedRequests"] == []
        assert _states(url, first) == {}
        everything = _ok(_aws(url, "describe-workspaces"))["Workspaces"]
        assert sorted(w["WorkspaceId"] for w in everything) == sorted([second, target])
    counts = sb.counts()
    assert {k: counts.get(k) for k in counts if k != "DescribeWorkspaces"} == {
        "CreateWorkspaces": 1,
        "StopWorkspaces": 2,
        "StartWorkspaces": 1,
        "RebootWorkspaces": 1,
        "RebuildWorkspaces": 2,
        "ModifyWorkspaceState": 1,
        "RestoreWorkspace": 1,
        "MigrateWorkspace": 2,
        "TerminateWorkspaces": 1,
    }
