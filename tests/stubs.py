"""botocore Stubber on a real WorkSpaces client, for service-layer tests."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.stub import Stubber

from wsctl.aws.service import WorkspacesService


def stubbed_service(max_workers: int = 1) -> tuple[WorkspacesService, Stubber]:
    client: Any = boto3.Session(
        aws_access_key_id="AKIATESTFAKEFAKEFAKE", aws_secret_access_key="fake", region_name="us-east-1"
    ).client("workspaces")
    stubber = Stubber(client)
    stubber.activate()
    return WorkspacesService(client, max_workers=max_workers), stubber


def workspace(n: int, state: str = "AVAILABLE", **extra: Any) -> dict[str, Any]:
    ws = {
        "WorkspaceId": f"ws-{n:09d}",
        "DirectoryId": "d-1234567890",
        "UserName": f"user{n:04d}",
        "State": state,
        "BundleId": "wsb-0123abcd9",
        "WorkspaceProperties": {
            "RunningMode": "AUTO_STOP",
            "RunningModeAutoStopTimeoutInMinutes": 60,
            "RootVolumeSizeGib": 80,
            "UserVolumeSizeGib": 50,
            "ComputeTypeName": "STANDARD",
        },
    }
    ws.update(extra)
    return ws
