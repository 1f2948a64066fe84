"""The AWS CLI (v1) reads the seeded usage from `wsctl sandbox serve`: CloudWatch and connection status."""

from __future__ import annotations

import json
import sys
import time
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

DAY = 86400


def _query(qid: str, workspace_id: str, period: int, stat: str) -> dict[str, object]:
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/WorkSpaces",
                "MetricName": "UserConnected",
                "Dimensions": [{"Name": "WorkspaceId", "Value": workspace_id}],
            },
            "Period": period,
            "Stat": stat,
        },
    }


def test_aws_cli_reads_usage_and_connection_status(tmp_path):
    seed, ids = sb.make_fleet(4, extra=("--users", "4"))
    log = tmp_path / "serve.log"
    end = int(time.time()) // DAY * DAY
    times = ("--start-time", str(end - 30 * DAY), "--end-time", str(end))
    with sb.served(log=log) as (url, _):
        queries = [_query(f"q{i}", w, DAY, "Sum") for i, w in enumerate(ids)]
        answer = sb.aws_ok(
            sb.aws_service(url, "cloudwatch", "get-metric-data", "--metric-data-queries", json.dumps(queries), *times)
        )
        by_id = {r["Id"]: r for r in answer["MetricDataResults"]}
        for i, user in enumerate(("user0001", "user0002", "user0003", "user0004")):
            assert len(by_id[f"q{i}"]["Values"]) == 30
            assert sum(by_id[f"q{i}"]["Values"]) / 12 == seed["UsageProfiles"][user]["ConnectedHoursPerMonth"]

        # The CLI pages on its own: 4 x 1 day of 5-minute points, 100 a call.
        five = [_query(f"q{i}", w, 300, "Maximum") for i, w in enumerate(ids)]
        paged = sb.aws_service(
            url, "cloudwatch", "get-metric-data", "--metric-data-queries", json.dumps(five),
            "--start-time", str(end - DAY), "--end-time", str(end), "--page-size", "100",
        )  # fmt: skip
        results = sb.aws_ok(paged)["MetricDataResults"]
        assert sum(len(r["Values"]) for r in results) == 4 * 288

        stats = sb.aws_ok(
            sb.aws_service(
                url,
                "cloudwatch",
                "get-metric-statistics",
                "--namespace",
                "AWS/WorkSpaces",
                "--metric-name",
                "UserConnected",
                "--dimensions",
                f"Name=WorkspaceId,Value={ids[0]}",
                "--period",
                str(DAY),
                "--statistics",
                "Sum",
                *times,
            )  # fmt: skip
        )
        assert sorted(p["Sum"] for p in stats["Datapoints"]) == [144.0] * 30

        wrong = sb.aws_service(
            url, "cloudwatch", "get-metric-statistics", "--namespace", "AWS/WorkSpaces",
            "--metric-name", "UserConnected", "--period", "90", "--statistics", "Sum", *times,
        )  # fmt: skip
        assert wrong.returncode != 0
        assert "(InvalidParameterValue)" in wrong.stderr and "multiple of 60" in wrong.stderr

        status = sb.aws_ok(
            sb.aws_service(url, "workspaces", "describe-workspaces-connection-status", "--workspace-ids", *ids)
        )
        by_ws = {s["WorkspaceId"]: s for s in status["WorkspacesConnectionStatus"]}
        assert set(by_ws) == set(ids)
        assert "LastKnownUserConnectionTimestamp" in by_ws[ids[0]]
        assert "LastKnownUserConnectionTimestamp" not in by_ws[ids[3]]
    counts = sb.counts()
    assert counts["GetMetricData"] == 1 + 12 and counts["GetMetricStatistics"] == 2
    assert counts["DescribeWorkspacesConnectionStatus"] == 1
    lines = log.read_text()
    assert " GetMetricData 200 " in lines and " GetMetricStatistics 400 InvalidParameterValueException " in lines
