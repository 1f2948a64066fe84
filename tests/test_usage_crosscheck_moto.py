"""`wsctl usage` against moto's server: CloudWatch fed with PutMetricData, a second implementation
of GetMetricData that none of us wrote, must give wsctl the same answer as the arithmetic on the
same points (and the hand-computed numbers).

moto has no DescribeWorkspacesConnectionStatus (it answers HTML 500): wsctl says so and judges
`unused` from UserConnected alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest

from tests.helpers import wsctl
from tests.test_crosscheck_moto import BUNDLE, directory, moto_url  # noqa: F401 - fixtures
from wsctl.spec import usage as u

pytestmark = pytest.mark.crosscheck

FIVE = dt.timedelta(minutes=5)


def _kw(url: str) -> dict[str, Any]:
    return {
        "endpoint_url": url,
        "region_name": "us-east-1",
        "aws_access_key_id": "AKIATESTFAKEFAKEFAKE",
        "aws_secret_access_key": "fake",
    }


def _pattern(start: dt.datetime, text: str) -> list[tuple[dt.datetime, float]]:
    return [(start + i * FIVE, float(c)) for i, c in enumerate(text) if c != "."]


def _put(cloudwatch: Any, workspace_id: str, points: list[tuple[dt.datetime, float]]) -> None:
    data = [
        {
            "MetricName": "UserConnected",
            "Dimensions": [{"Name": "WorkspaceId", "Value": workspace_id}],
            "Timestamp": t,
            "Value": v,
        }
        for t, v in points
    ]
    for i in range(0, len(data), 500):
        cloudwatch.put_metric_data(Namespace="AWS/WorkSpaces", MetricData=data[i : i + 500])


def test_usage_on_moto_matches_the_arithmetic(moto_url: str, directory: str):  # noqa: F811
    kw = _kw(moto_url)
    workspaces: Any = boto3.client("workspaces", **kw)
    cloudwatch: Any = boto3.client("cloudwatch", **kw)
    modes = {"heavy": "AUTO_STOP", "light": "ALWAYS_ON", "idle": "ALWAYS_ON", "gappy": "AUTO_STOP"}
    users = {name: f"{name}{directory[-4:]}" for name in modes}
    requests = [
        {
            "DirectoryId": directory,
            "UserName": users[name],
            "BundleId": BUNDLE,
            "WorkspaceProperties": {"RunningMode": mode, "ComputeTypeName": "STANDARD"}
            | ({"RunningModeAutoStopTimeoutInMinutes": 60} if mode == "AUTO_STOP" else {}),
        }
        for name, mode in modes.items()
    ]
    created = workspaces.create_workspaces(Workspaces=requests)["PendingRequests"]
    ids = {next(n for n, user in users.items() if user == w["UserName"]): w["WorkspaceId"] for w in created}

    now = dt.datetime.now(dt.UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    points: dict[str, list[tuple[dt.datetime, float]]] = {}
    # heavy: every day of the last 6, 09:00-17:00 (96 intervals) -> 6 x (8 + 1) = 54 billable h
    points["heavy"] = []
    for d in range(6, 0, -1):
        points["heavy"] += _pattern(today - dt.timedelta(days=d, hours=-9), "1" * 96 + "0" * 24)
    # light: one session crossing midnight 22:00-01:00 (36 intervals) -> 3 + 1 = 4 billable h
    points["light"] = _pattern(today - dt.timedelta(days=3, hours=2), "0" * 12 + "1" * 36 + "0" * 12)
    # idle: zeros only -> unused
    points["idle"] = _pattern(today - dt.timedelta(days=2), "0" * 48)
    # gappy: 6 + 1 gap + 6 (one session of 13 intervals: 2 + 1), a 12-zero gap, then 6 (1 + 1) -> 5 billable h
    points["gappy"] = _pattern(today - dt.timedelta(days=1, hours=-10), "111111" + "0" + "111111" + "0" * 12 + "111111")
    for name, found in points.items():
        _put(cloudwatch, ids[name], found)

    run = wsctl("--endpoint-url", moto_url, "usage", "--directory-id", directory, "--days", "7", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert "does not serve DescribeWorkspacesConnectionStatus" in run.stderr
    rows = {r["WorkspaceId"]: r for r in run.json()["Usage"]}
    expected_billable = {"heavy": 54, "light": 4, "idle": 0, "gappy": 5}
    for name, workspace_id in ids.items():
        local = u.measure(
            points[name], interval_seconds=300, running_mode=modes[name], auto_stop_timeout=60
        )  # the same points, wsctl's arithmetic without any service
        assert rows[workspace_id]["BillableHours"] == local.billable_hours == expected_billable[name], name
        assert rows[workspace_id]["Sessions"] == len(local.sessions)
        assert rows[workspace_id]["ConnectedHours"] == round(local.connected_hours, 2)
    # 7 days: 85 * 7 / 30 = 19.8 h; heavy AUTO_STOP 54 -> ALWAYS_ON saves ~34.2 h
    assert rows[ids["heavy"]]["Recommendation"] == "ALWAYS_ON"
    assert rows[ids["heavy"]]["Reason"].endswith("ALWAYS_ON saves ~34.2 h")
    # light ALWAYS_ON 4 <= 19.8 -> AUTO_STOP saves ~15.8 h
    assert rows[ids["light"]]["Recommendation"] == "AUTO_STOP"
    assert rows[ids["idle"]]["Recommendation"] == "unused"
    # gappy AUTO_STOP 5 h, under the break-even: stays
    assert rows[ids["gappy"]]["Recommendation"] == "keep"
