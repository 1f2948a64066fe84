"""`wsctl usage` below the sandbox: GetMetricData planning and paging, connection status, and the
command itself on botocore Stubbers (real clients, canned answers), hand-computed numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from tests.helpers import wsctl
from tests.stubs import stubbed_service, workspace
from wsctl.aws.cloudwatch import MAX_POINTS, MAX_QUERIES, CloudWatchService, plan_calls

END = dt.datetime(2026, 12, 2, 0, 0, tzinfo=dt.UTC)
FIVE = dt.timedelta(minutes=5)


def _client(service: str) -> Any:
    session: Any = boto3.Session(
        aws_access_key_id="AKIATESTFAKEFAKEFAKE", aws_secret_access_key="fake", region_name="us-east-1"
    )
    return session.client(service)


# --- planning the calls --------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "days", "period"), [(1000, 30, 300), (200, 30, 300), (7, 63, 300), (1000, 90, 3600)])
def test_calls_cover_every_point_once_within_both_limits(count: int, days: int, period: int):
    ids = [f"ws-{i:09d}" for i in range(count)]
    start = END - dt.timedelta(days=days)
    calls = plan_calls(ids, start, END, period)
    covered: dict[str, int] = {}
    for call in calls:
        assert len(call.workspace_ids) <= MAX_QUERIES
        points = (call.end - call.start).total_seconds() / period
        assert points * len(call.workspace_ids) <= MAX_POINTS
        for i in call.workspace_ids:
            covered[i] = covered.get(i, 0) + int(points)
    assert covered == dict.fromkeys(ids, days * 86400 // period)
    # windows tile the period without overlap
    windows = sorted({(c.start, c.end) for c in calls})
    assert windows[0][0] == start and windows[-1][1] == END
    assert all(a[1] == b[0] for a, b in zip(windows, windows[1:], strict=False))


def test_a_thousand_workspaces_over_thirty_days_take_at_most_ninety_calls():
    # 1,000 x 8,640 points = 8,640,000; 100,800 a call -> at least 86 calls (the bound: 90)
    ids = [f"ws-{i:09d}" for i in range(1000)]
    assert len(plan_calls(ids, END - dt.timedelta(days=30), END, 300)) <= 90


def test_one_workspace_is_one_call():
    assert len(plan_calls(["ws-000000001"], END - dt.timedelta(days=30), END, 300)) == 1


# --- GetMetricData -------------------------------------------------------------------------------


def _result(query_id: str, points: list[tuple[dt.datetime, float]], status: str = "Complete") -> dict[str, Any]:
    return {
        "Id": query_id,
        "Label": METRIC_LABEL,
        "Timestamps": [t for t, _ in points],
        "Values": [v for _, v in points],
        "StatusCode": status,
    }


METRIC_LABEL = "UserConnected"


def test_user_connected_follows_next_token_and_joins_pages():
    client = _client("cloudwatch")
    stubber = Stubber(client)
    start = END - dt.timedelta(hours=2)
    first = [(start + i * FIVE, 1.0) for i in range(12)]
    second = [(start + (12 + i) * FIVE, 0.0) for i in range(12)]
    query = {
        "Id": "w0",
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/WorkSpaces",
                "MetricName": "UserConnected",
                "Dimensions": [{"Name": "WorkspaceId", "Value": "ws-000000001"}],
            },
            "Period": 300,
            "Stat": "Maximum",
        },
        "ReturnData": True,
    }
    expected = {"MetricDataQueries": [query], "StartTime": start, "EndTime": END, "ScanBy": "TimestampAscending"}
    stubber.add_response(
        "get_metric_data", {"MetricDataResults": [_result("w0", first, "PartialData")], "NextToken": "t1"}, expected
    )
    stubber.add_response(
        "get_metric_data", {"MetricDataResults": [_result("w0", second)]}, {**expected, "NextToken": "t1"}
    )
    stubber.activate()
    data = CloudWatchService(client, max_workers=1).user_connected(["ws-000000001"], start, END, 300)
    stubber.assert_no_pending_responses()
    assert data.calls == 2
    series = data.points["ws-000000001"]
    assert list(series.stamps) == [int(t.timestamp()) for t, _ in first + second]
    assert list(series.connected) == [int(t.timestamp()) for t, _ in first]
    assert data.problems == []


def test_a_refused_query_is_reported():
    client = _client("cloudwatch")
    stubber = Stubber(client)
    stubber.add_response("get_metric_data", {"MetricDataResults": [_result("w0", [], "Forbidden")]})
    stubber.activate()
    data = CloudWatchService(client, max_workers=1).user_connected(["ws-000000001"], END - FIVE * 12, END, 300)
    assert data.problems == ["ws-000000001: GetMetricData answered Forbidden"]


def test_connection_status_takes_25_ids_a_call():
    service, stubber = stubbed_service()
    ids = [f"ws-{i:09d}" for i in range(30)]
    for chunk in (ids[:25], ids[25:]):
        stubber.add_response(
            "describe_workspaces_connection_status",
            {"WorkspacesConnectionStatus": [{"WorkspaceId": i, "ConnectionState": "DISCONNECTED"} for i in chunk]},
            {"WorkspaceIds": chunk},
        )
    found = service.connection_status(ids)
    stubber.assert_no_pending_responses()
    assert sorted(found) == ids


# --- the command on stubbed clients ----------------------------------------------------------------


class Stubs:
    def __init__(self) -> None:
        self.workspaces = _client("workspaces")
        self.cloudwatch = _client("cloudwatch")
        self.ws = Stubber(self.workspaces)
        self.cw = Stubber(self.cloudwatch)


@pytest.fixture
def stubs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubs]:
    s = Stubs()

    def build(options: Any, rate_limiter: Any, service: str = "workspaces", **_: Any) -> Any:
        return s.cloudwatch if service == "cloudwatch" else s.workspaces

    monkeypatch.setattr("wsctl.aws.clients.build_client", build)
    s.ws.activate()
    s.cw.activate()
    yield s
    s.ws.assert_no_pending_responses()
    s.cw.assert_no_pending_responses()


def _day(start: dt.datetime, hours: int) -> list[tuple[dt.datetime, float]]:
    """`hours` connected from `start`, then zeros to the end of the day."""
    n = hours * 12
    return [(start + i * FIVE, 1.0 if i < n else 0.0) for i in range(288)]


def _fleet_answers(
    stubs: Stubs, fleet: list[dict[str, Any]], points: dict[str, list[Any]], last: dict[str, Any]
) -> None:
    stubs.ws.add_response("describe_workspaces", {"Workspaces": fleet})
    stubs.cw.add_response(
        "get_metric_data",
        {"MetricDataResults": [_result(f"w{i}", points.get(w["WorkspaceId"], [])) for i, w in enumerate(fleet)]},
        {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "ScanBy": "TimestampAscending"},
    )
    stubs.ws.add_response(
        "describe_workspaces_connection_status",
        {
            "WorkspacesConnectionStatus": [
                {
                    "WorkspaceId": w["WorkspaceId"],
                    **(
                        {"LastKnownUserConnectionTimestamp": last[w["WorkspaceId"]]} if w["WorkspaceId"] in last else {}
                    ),
                }
                for w in fleet
            ]
        },
        {"WorkspaceIds": [w["WorkspaceId"] for w in fleet]},
    )


def _mode(n: int, mode: str, compute: str = "STANDARD", timeout: int | None = 60) -> dict[str, Any]:
    ws = workspace(n)
    props = ws["WorkspaceProperties"]
    props["RunningMode"], props["ComputeTypeName"] = mode, compute
    if timeout is None or mode != "AUTO_STOP":
        props.pop("RunningModeAutoStopTimeoutInMinutes", None)
    return ws


def _days_of(hours: int, days: int = 28) -> list[tuple[dt.datetime, float]]:
    # A day's pattern for `days` days ending yesterday, inside the last 30 days
    points: list[tuple[dt.datetime, float]] = []
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for d in range(days, 0, -1):
        points += _day(today - dt.timedelta(days=d) + dt.timedelta(hours=8), hours)
    return points


def test_usage_recommends_by_the_numbers(stubs: Stubs):
    # heavy AUTO_STOP: 28 days x (4 h + 1 h) = 140 > 85 -> ALWAYS_ON saves ~55 h
    # light ALWAYS_ON: 28 x (1 + 1) = 56 <= 85 -> AUTO_STOP saves ~29 h
    # never connected ALWAYS_ON: unused; MANUAL heavy: keep
    fleet = [_mode(1, "AUTO_STOP"), _mode(2, "ALWAYS_ON"), _mode(3, "ALWAYS_ON"), _mode(4, "MANUAL")]
    points = {
        "ws-000000001": _days_of(4),
        "ws-000000002": _days_of(1),
        "ws-000000003": [(t, 0.0) for t, _ in _days_of(1)],
        "ws-000000004": _days_of(4),
    }
    _fleet_answers(stubs, fleet, points, {})
    for _ in range(3):  # Skip_Convert is read for the three that would change, and none has it
        stubs.ws.add_response("describe_tags", {"TagList": []}, {"ResourceId": ANY})
    run = wsctl("usage", "-o", "json")
    assert run.exit_code == 0, run.stderr
    rows = {r["WorkspaceId"]: r for r in run.json()["Usage"]}
    assert rows["ws-000000001"]["BillableHours"] == 140
    assert rows["ws-000000001"]["ConnectedHours"] == 112
    assert rows["ws-000000001"]["Sessions"] == 28
    assert rows["ws-000000001"]["Recommendation"] == "ALWAYS_ON"
    assert rows["ws-000000001"]["Reason"].endswith("ALWAYS_ON saves ~55 h")
    assert rows["ws-000000002"]["BillableHours"] == 56
    assert rows["ws-000000002"]["Recommendation"] == "AUTO_STOP"
    assert rows["ws-000000003"]["Recommendation"] == "unused"
    assert rows["ws-000000004"]["Recommendation"] == "keep"
    # sorted by saving: 55, 29, then unused, then keep
    assert [r["WorkspaceId"] for r in run.json()["Usage"]] == [f"ws-00000000{i}" for i in (1, 2, 3, 4)]
    assert set(rows["ws-000000001"]) >= {
        "WorkspaceId", "UserName", "RunningMode", "ComputeTypeName", "ConnectedHours", "BillableHours",
        "Sessions", "LastKnownUserConnectionTimestamp", "Recommendation", "Reason",
    }  # fmt: skip
    data = run.json()
    assert data["Thresholds"]["STANDARD"] == 85
    assert data["Period"]["Days"] == 30


def test_ids_and_the_recommendation_filter(stubs: Stubs):
    fleet = [_mode(1, "AUTO_STOP"), _mode(2, "ALWAYS_ON"), _mode(3, "ALWAYS_ON")]
    points = {"ws-000000001": _days_of(4), "ws-000000002": _days_of(1)}
    _fleet_answers(stubs, fleet, points, {})
    for _ in range(3):
        stubs.ws.add_response("describe_tags", {"TagList": []}, {"ResourceId": ANY})
    run = wsctl("usage", "--recommendation", "unused", "-o", "ids")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == "ws-000000003\n"


def test_a_last_known_connection_in_the_period_is_not_unused(stubs: Stubs):
    fleet = [_mode(1, "ALWAYS_ON")]
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    _fleet_answers(stubs, fleet, {}, {"ws-000000001": yesterday})
    run = wsctl("usage", "-o", "json")
    row = run.json()["Usage"][0]
    assert row["Recommendation"] == "keep"
    assert "no UserConnected data" in row["Reason"]
    assert row["LastKnownUserConnectionTimestamp"].startswith(yesterday.date().isoformat())


def test_skip_convert_tag_keeps(stubs: Stubs):
    fleet = [_mode(1, "AUTO_STOP")]
    _fleet_answers(stubs, fleet, {"ws-000000001": _days_of(4)}, {})
    stubs.ws.add_response(
        "describe_tags", {"TagList": [{"Key": "SKIP_convert", "Value": "yes"}]}, {"ResourceId": "ws-000000001"}
    )
    row = wsctl("usage", "-o", "json").json()["Usage"][0]
    assert row["Recommendation"] == "keep"
    assert "Skip_Convert" in row["Reason"]
    assert row["BillableHours"] == 140


def test_unreadable_tags_keep_as_the_cost_optimizer_does(stubs: Stubs):
    fleet = [_mode(1, "AUTO_STOP")]
    _fleet_answers(stubs, fleet, {"ws-000000001": _days_of(4)}, {})
    stubs.ws.add_client_error("describe_tags", "AccessDeniedException", "no", 400)
    row = wsctl("usage", "--max-attempts", "1", "-o", "json").json()["Usage"][0]
    assert row["Recommendation"] == "keep"
    assert "AccessDeniedException" in row["Reason"]


def test_threshold_flag_and_config_file(stubs: Stubs, tmp_path: Path):
    # 140 billable h: above 85, under a 150 from the file; the flag (160) wins over the file
    config = tmp_path / "usage.yaml"
    config.write_text("thresholds:\n  STANDARD: 150\n  VALUE: 70\n")
    fleet = [_mode(1, "AUTO_STOP")]
    _fleet_answers(stubs, fleet, {"ws-000000001": _days_of(4)}, {})
    data = wsctl("usage", "--config", str(config), "-o", "json").json()
    assert data["Usage"][0]["Recommendation"] == "keep"
    assert data["Thresholds"]["STANDARD"] == 150 and data["Thresholds"]["VALUE"] == 70
    assert "150 h break-even" in data["Usage"][0]["Reason"]


def test_explain_lists_sessions_and_their_sum(stubs: Stubs):
    fleet = [_mode(1, "AUTO_STOP")]
    _fleet_answers(stubs, fleet, {"ws-000000001": _days_of(4, days=2)}, {})
    run = wsctl("usage", "--explain", "ws-000000001")
    assert run.exit_code == 0, run.stderr
    assert "Sessions of ws-000000001" in run.stdout
    assert "(4+1) + (4+1) = 10 billable h" in " ".join(run.stdout.split())
    assert "5-minute UserConnected data" in run.stderr


def test_the_table_is_sorted_by_saving(stubs: Stubs):
    fleet = [_mode(1, "AUTO_STOP"), _mode(2, "AUTO_STOP")]
    _fleet_answers(stubs, fleet, {"ws-000000001": _days_of(4), "ws-000000002": _days_of(6)}, {})
    for _ in range(2):
        stubs.ws.add_response("describe_tags", {"TagList": []}, {"ResourceId": ANY})
    run = wsctl("usage")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.index("ws-000000002") < run.stdout.index("ws-000000001")
    assert "2 ALWAYS_ON, 0 AUTO_STOP, 0 unused, 0 keep" in run.stderr


# --- flags are checked before any call (no stub answers: a call would fail) ------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--threshold", "FOO=10"], "'FOO' is not a compute type; valid: VALUE, STANDARD"),
        (["--threshold", "STANDARD"], "is not COMPUTE=HOURS"),
        (["--threshold", "STANDARD=lots"], "'lots' is not a number of hours"),
        (["--days", "3", "--since", "2026-11-01"], "give the period one way, not both"),
        (["--since", "yesterday"], "--since: 'yesterday' is not a date"),
        (["--since", "2099-01-01"], "is not in the past"),
        (["--until", "2099-01-01"], "--until: '2099-01-01' is not in the past"),
        (["--until", "soon"], "--until: 'soon' is not a date"),
        (["--since", "2026-11-20", "--until", "2026-11-10"], "the period must start before it ends"),
        (["--recommendation", "ALWAYS-ON"], "is not one of keep, ALWAYS_ON, AUTO_STOP, unused"),
        (["--min-saving", "-1"], "--min-saving"),
        (["--explain", "nope"], "--explain"),
    ],
)
def test_bad_flags_exit_2_before_any_call(stubs: Stubs, args: list[str], message: str):
    run = wsctl("usage", *args)
    assert run.exit_code == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_an_end_inside_the_newest_five_minutes_is_refused_as_such(stubs: Stubs):
    import datetime as dt

    recent = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    run = wsctl("usage", "--until", recent)
    assert run.exit_code == 2
    assert f"--until: '{recent}' is less than 5 minutes ago; give an earlier time or leave --until out" in run.stderr


def test_a_bad_config_file_names_the_line(stubs: Stubs, tmp_path: Path):
    config = tmp_path / "bad.yaml"
    config.write_text("thresholds:\n  STANDARD: 85\n  GRAPHICS_XL: 3\nother: 1\n")
    run = wsctl("usage", "--config", str(config))
    assert run.exit_code == 2
    assert f"{config}:3:16: GRAPHICS_XL: 'GRAPHICS_XL' is not a compute type" in run.stderr
    assert f"{config}:4:1: other: unknown key" in run.stderr


def test_set_mode_usage_flags_need_by_usage(stubs: Stubs):
    run = wsctl("set-mode", "ws-000000001", "--days", "7")
    assert run.exit_code == 2 and "--days only with --by-usage" in run.stderr
    run = wsctl("set-mode", "--by-usage", "--running-mode", "ALWAYS_ON")
    assert run.exit_code == 2 and "drop --running-mode" in run.stderr


def _queries_period(stubs: Stubs, period: int, start_after: dt.datetime) -> None:
    """Expect one GetMetricData whose queries ask for `period` and whose window starts by `start_after`."""

    def check(params: dict[str, Any], **_: Any) -> None:
        assert {q["MetricStat"]["Period"] for q in params["MetricDataQueries"]} == {period}
        assert params["StartTime"] <= start_after

    stubs.cloudwatch.meta.events.register("provide-client-params.cloudwatch.GetMetricData", check)


def test_beyond_63_days_hourly_data_is_used_and_said(stubs: Stubs):
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=100)).date()
    _queries_period(stubs, 3600, dt.datetime.combine(since, dt.time(), dt.UTC))
    _fleet_answers(stubs, [_mode(1, "ALWAYS_ON")], {}, {"ws-000000001": dt.datetime.now(dt.UTC)})
    run = wsctl("usage", "--since", since.isoformat())
    assert run.exit_code == 0, run.stderr
    assert "hourly UserConnected data" in run.stderr
    assert "scaled linearly" in run.stderr


def test_unused_days_longer_than_the_period_reads_the_longer_window(stubs: Stubs):
    # 7-day period, 60-day unused window: the metrics start 60 days back; a connection 20 days ago
    # is outside the period (0 billable h) but inside the window: not unused
    now = dt.datetime.now(dt.UTC)
    _queries_period(stubs, 300, now - dt.timedelta(days=59))
    old = _days_of(2, days=20)[:288]
    _fleet_answers(stubs, [_mode(1, "AUTO_STOP")], {"ws-000000001": old}, {})
    row = wsctl("usage", "--days", "7", "--unused-days", "60", "-o", "json").json()["Usage"][0]
    assert row["BillableHours"] == 0
    assert row["Recommendation"] == "keep"


def test_an_endpoint_without_describe_tags_is_asked_once():
    service, stubber = stubbed_service()
    stubber.add_client_error("describe_tags", "UnknownOperationException", "no such operation", 400)
    found = service.tags_of(["ws-000000001", "ws-000000002", "ws-000000003"])
    stubber.assert_no_pending_responses()
    assert found == dict.fromkeys(["ws-000000001", "ws-000000002", "ws-000000003"], "UnknownOperationException")


def test_explain_in_json(stubs: Stubs):
    _fleet_answers(stubs, [_mode(1, "AUTO_STOP")], {"ws-000000001": _days_of(4, days=2)}, {})
    explained = wsctl("usage", "--explain", "ws-000000001", "-o", "json").json()["Explain"]
    assert [s["BilledHours"] for s in explained["Sessions"]] == [5, 5]
    assert [s["Hours"] for s in explained["Sessions"]] == [4, 4]
    assert explained["BillableHours"] == 10 and explained["IdleHoursPerSession"] == 1


def test_an_unused_window_past_the_5_minute_retention_keeps_the_period_at_5_minutes(stubs: Stubs):
    # 30-day period, 80-day unused window: billable hours stay 5-minute ones; metrics go back
    # as far as 5-minute data does (63 days), the last known connection covers the rest.
    now = dt.datetime.now(dt.UTC)
    seen: list[tuple[set[int], dt.datetime]] = []

    def check(params: dict[str, Any], **_: Any) -> None:
        seen.append(({q["MetricStat"]["Period"] for q in params["MetricDataQueries"]}, params["StartTime"]))

    stubs.cloudwatch.meta.events.register("provide-client-params.cloudwatch.GetMetricData", check)
    last_known = now - dt.timedelta(days=70)
    _fleet_answers(stubs, [_mode(1, "AUTO_STOP")], {}, {"ws-000000001": last_known})
    run = wsctl("usage", "--unused-days", "80")
    assert run.exit_code == 0, run.stderr
    assert "5-minute UserConnected data" in run.stderr
    assert seen and all(periods == {300} for periods, _ in seen), seen
    assert min(start for _, start in seen) >= now - dt.timedelta(days=63, minutes=10)
    assert " keep " in run.stdout and "unused" not in run.stdout  # connected 70 days ago: inside the 80-day window


def test_a_future_since_is_one_problem_not_two(stubs: Stubs):
    run = wsctl("usage", "--since", "2099-01-01")
    assert run.exit_code == 2
    assert [line for line in run.stderr.splitlines() if line.startswith("error:")] == [
        "error: --since: '2099-01-01' is not in the past"
    ]
