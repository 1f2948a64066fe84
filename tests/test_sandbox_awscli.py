"""The AWS CLI (v1, a client none of us wrote) drives `wsctl sandbox serve` through all seven operations."""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests import sandbox_support as sb

pytestmark = pytest.mark.crosscheck

AWS = Path(sys.executable).parent / "aws"
_aws = sb.aws_cli
_ok = sb.aws_ok


def _parallel(*calls):
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call[0](*call[1:]), calls))


@pytest.mark.skipif(not AWS.exists(), reason="the AWS CLI (awscli, a test dependency) is not installed")
def test_aws_cli_drives_all_seven_operations():
    seed = sb.reset("--time-scale", "0")
    primary = sb.primary_directory(seed)
    with sb.served("--quiet") as (url, _):
        directories, bundles, imported = _parallel(
            (_aws, url, "describe-workspace-directories"),
            (_aws, url, "describe-workspace-bundles", "--owner", "AMAZON"),
            (
                _aws,
                url,
                "import-workspace-image",
                "--ec2-image-id",
                sb.ami_id(seed),
                "--ingestion-process",
                "BYOL_REGULAR_WSP",
                "--image-name",
                "golden-1",
                "--image-description",
                "Golden image",
            ),
        )
        assert [d["DirectoryId"] for d in _ok(directories)["Directories"]] == [
            d["DirectoryId"] for d in seed["Directories"]
        ]
        # 31 Amazon bundles come in two pages: the CLI followed NextToken.
        amazon = [b for b in seed["Bundles"] if b["Owner"] == "AMAZON"]
        assert [b["BundleId"] for b in _ok(bundles)["Bundles"]] == [b["BundleId"] for b in amazon]
        image_id = _ok(imported)["ImageId"]

        request = {
            "Workspaces": [
                {"DirectoryId": primary["DirectoryId"], "UserName": f"user000{n}", "BundleId": sb.bundle_id(seed)}
                for n in (1, 2, 3)
            ]
            + [{"DirectoryId": primary["DirectoryId"], "UserName": "nobody", "BundleId": sb.bundle_id(seed)}]
        }
        created = _ok(_aws(url, "create-workspaces", "--cli-input-json", json.dumps(request)))
        assert [f["ErrorCode"] for f in created["FailedRequests"]] == ["ResourceNotFound.User"]
        assert created["FailedRequests"][0]["WorkspaceRequest"]["UserName"] == "nobody"
        ids = [w["WorkspaceId"] for w in created["PendingRequests"]]
        assert len(ids) == 3

        first_page, modified, refused, missing, too_big, images = _parallel(
            (_aws, url, "describe-workspaces", "--page-size", "1", "--max-items", "2"),
            (
                _aws,
                url,
                "modify-workspace-properties",
                "--workspace-id",
                ids[0],
                "--workspace-properties",
                "RunningMode=ALWAYS_ON",
            ),
            (
                _aws,
                url,
                "modify-workspace-properties",
                "--workspace-id",
                ids[1],
                "--workspace-properties",
                "RunningMode=AUTO_STOP,RunningModeAutoStopTimeoutInMinutes=90",
            ),
            (
                _aws,
                url,
                "modify-workspace-properties",
                "--workspace-id",
                "ws-000000000",
                "--workspace-properties",
                "RunningMode=ALWAYS_ON",
            ),
            (_aws, url, "describe-workspace-directories", "--limit", "26"),
            (_aws, url, "describe-workspace-images", "--image-ids", image_id),
        )
        page = _ok(first_page)
        assert [w["WorkspaceId"] for w in page["Workspaces"]] == ids[:2]
        assert page["NextToken"]
        _ok(modified)
        assert refused.returncode != 0
        assert "InvalidParameterValuesException" in refused.stderr and "multiple of 60" in refused.stderr
        assert missing.returncode != 0 and "ResourceNotFoundException" in missing.stderr
        assert too_big.returncode != 0 and "ValidationException" in too_big.stderr
        [image] = _ok(images)["Images"]
        assert (image["ImageId"], image["Name"]) == (image_id, "golden-1")
        assert image["State"] == "AVAILABLE"  # --time-scale 0

        rest = _aws(url, "describe-workspaces", "--page-size", "1", "--starting-token", page["NextToken"])
        assert [w["WorkspaceId"] for w in _ok(rest)["Workspaces"]] == ids[2:]
    [ws] = sb.client().describe_workspaces(WorkspaceIds=[ids[0]])["Workspaces"]
    assert ws["WorkspaceProperties"]["RunningMode"] == "ALWAYS_ON" and ws["State"] == "AVAILABLE"
    counts = sb.counts()
    assert counts["DescribeWorkspaces"] == 2 + 1 + 1  # pages of one: 2, then the last page; then by ID
    assert counts["ModifyWorkspaceProperties"] == 3 and counts["CreateWorkspaces"] == 1
    assert counts["DescribeWorkspaceBundles"] == 2
