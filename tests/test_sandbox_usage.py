"""The sandbox's CloudWatch usage data: GetMetricData, GetMetricStatistics, connection status, in-process."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests import sandbox_support as sb

DAY = 86400
UTC = dt.UTC


def cloudwatch(*, protocol: str | None = None) -> Any:
    """A plain botocore CloudWatch client on the in-process sandbox (as the client engineer builds one).

    `protocol` forces one of the model's protocols (botocore itself picks json).
    """
    return sb.client_speaking("cloudwatch", protocol)


def query(qid: str, workspace_id: str, *, metric: str = "UserConnected", period: int = 300, stat: str = "Maximum"):
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/WorkSpaces",
                "MetricName": metric,
                "Dimensions": [{"Name": "WorkspaceId", "Value": workspace_id}],
            },
            "Period": period,
            "Stat": stat,
        },
    }


def all_pages(client: Any, **params: Any) -> tuple[dict[str, tuple[list[Any], list[float]]], int]:
    """Every page of a GetMetricData: Id -> (timestamps, values), and the number of calls."""
    found: dict[str, tuple[list[Any], list[float]]] = {}
    calls = 0
    token = None
    while True:
        answer = client.get_metric_data(**params, **({"NextToken": token} if token else {}))
        calls += 1
        for result in answer["MetricDataResults"]:
            stamps, values = found.setdefault(result["Id"], ([], []))
            stamps.extend(result["Timestamps"])
            values.extend(result["Values"])
        token = answer.get("NextToken")
        if not token:
            return found, calls


_test_now: list[float] = []


@pytest.fixture(autouse=True)
def _one_now_per_test():
    """Every window() of a test ends at the same moment.

    Read afresh per call, two calls either side of a 5-minute mark asked for different windows, and a NextToken
    (tied to its request, as AWS's is) was refused: CI failed on it at 06:10:00.
    """
    _test_now.clear()
    yield
    _test_now.clear()


def window(days: float, *, now: float | None = None, align: int = 300) -> dict[str, dt.datetime]:
    """StartTime and EndTime `days` apart, ending at `now` (else the test's first reading of the clock), rounded
    down to `align` seconds."""
    if now is None:
        if not _test_now:
            _test_now.append(time.time())
        now = _test_now[0]
    end = now // align * align
    return {
        "StartTime": dt.datetime.fromtimestamp(end - days * DAY, UTC),
        "EndTime": dt.datetime.fromtimestamp(end, UTC),
    }


@pytest.fixture
def fleet() -> tuple[dict[str, Any], list[str]]:
    """user0001-user0004: one WorkSpace of each profile (heavy, part-time, light, never)."""
    seed, ids = sb.make_fleet(4, extra=("--users", "8"))
    return seed, ids


def test_thirty_days_of_usage_match_the_published_profiles(fleet):
    seed, ids = fleet
    client = cloudwatch()
    data, calls = all_pages(client, MetricDataQueries=[query(f"q{i}", w) for i, w in enumerate(ids)], **window(30))
    assert calls == 1
    profiles = seed["UsageProfiles"]
    for i, user in enumerate(("user0001", "user0002", "user0003", "user0004")):
        stamps, values = data[f"q{i}"]
        assert len(values) == 30 * 288  # a point every 5 minutes, as long as the WorkSpace "existed"
        assert set(values) <= {0.0, 1.0}
        assert sum(values) / 12 == profiles[user]["ConnectedHoursPerMonth"]
        assert stamps == sorted(stamps, reverse=True)  # TimestampDescending by default
    hours = {u: profiles[u]["ConnectedHoursPerMonth"] for u in ("user0001", "user0002", "user0003", "user0004")}
    assert [profiles[u]["Profile"] for u in hours] == ["heavy", "part-time", "light", "never"]
    # Well above every break-even (GRAPHICS 217 h), well below every one (POWERPRO 80 h), and never.
    assert hours["user0001"] > 300 and 0 < hours["user0003"] < 20 and hours["user0004"] == 0
    assert sb.counts()["GetMetricData"] == 1


def test_profiles_cycle_by_user_number():
    seed = sb.reset("--users", "23")
    profiles = seed["UsageProfiles"]
    names = [f"user{i:04d}" for i in range(1, 24)]
    assert set(names) <= set(profiles)
    for start in range(len(names) - 9):
        ten = {profiles[n]["Profile"] for n in names[start : start + 10]}
        assert {"heavy", "light", "never"} <= ten
    assert profiles["branch05"] == profiles["user0001"]
    assert all(isinstance(p["ConnectedHoursPerMonth"], float) for p in profiles.values())


def test_hourly_sums_and_statistics_aggregate_the_five_minute_points(fleet):
    _, ids = fleet
    client = cloudwatch()
    queries = [
        query("five", ids[1]),
        query("hourly", ids[1], period=3600, stat="Sum"),
        query("hmax", ids[1], period=3600, stat="Maximum"),
        query("havg", ids[1], period=3600, stat="Average"),
        query("hcount", ids[1], period=3600, stat="SampleCount"),
    ]
    # Buckets start at StartTime: on the hour here, so the hourly points are clock hours.
    data, _ = all_pages(client, MetricDataQueries=queries, ScanBy="TimestampAscending", **window(2, align=3600))
    five = data["five"][1]
    hourly_stamps, hourly = data["hourly"]
    assert len(hourly) == 48 and hourly_stamps == sorted(hourly_stamps)
    assert hourly == [sum(five[i : i + 12]) for i in range(0, len(five), 12)]
    assert data["hmax"][1] == [1.0 if s else 0.0 for s in hourly]
    assert data["havg"][1] == [s / 12 for s in hourly]
    assert set(data["hcount"][1]) == {12.0}
    # The part-time profile: 09:00-14:00 UTC each day.
    # botocore reads the epoch timestamps in the machine's time zone.
    connected_hours = sorted({t.astimezone(UTC).hour for t, v in zip(*data["hourly"], strict=True) if v})
    assert connected_hours == [9, 10, 11, 12, 13]


def test_pages_of_max_datapoints_add_up_to_the_whole_answer(fleet):
    _, ids = fleet
    client = cloudwatch()
    queries = [query(f"q{i}", w) for i, w in enumerate(ids)]
    whole, calls = all_pages(client, MetricDataQueries=queries, **window(1))
    assert calls == 1
    paged, calls = all_pages(client, MetricDataQueries=queries, MaxDatapoints=100, **window(1))
    assert calls == -(-4 * 288 // 100)
    assert paged == whole
    first = client.get_metric_data(MetricDataQueries=queries, MaxDatapoints=100, **window(1))
    assert [(r["Id"], r["StatusCode"], len(r["Values"])) for r in first["MetricDataResults"]] == [
        ("q0", "PartialData", 100)
    ]


def test_more_than_100800_points_need_a_next_token(fleet):
    _, ids = fleet
    client = cloudwatch()
    # 12 queries x 30 days x 288 = 103,680 points: one more page than AWS's 100,800 a call.
    queries = [query(f"q{i}", ids[i % 4]) for i in range(12)]
    first = client.get_metric_data(MetricDataQueries=queries, **window(30))
    assert sum(len(r["Values"]) for r in first["MetricDataResults"]) == 100_800
    assert first["MetricDataResults"][-1]["StatusCode"] == "PartialData"
    second = client.get_metric_data(MetricDataQueries=queries, NextToken=first["NextToken"], **window(30))
    assert "NextToken" not in second
    assert sum(len(r["Values"]) for r in second["MetricDataResults"]) == 103_680 - 100_800
    assert second["MetricDataResults"][0]["Id"] == "q11"
    assert sb.counts()["GetMetricData"] == 2


def test_next_token_is_tied_to_its_request(fleet):
    _, ids = fleet
    client = cloudwatch()
    queries = [query("a", ids[0])]
    first = client.get_metric_data(MetricDataQueries=queries, MaxDatapoints=10, **window(1))
    other = [query("a", ids[1])]
    with pytest.raises(ClientError) as exc:
        client.get_metric_data(MetricDataQueries=other, NextToken=first["NextToken"], **window(1))
    assert sb.error_of(exc)[0] == "InvalidNextToken"
    with pytest.raises(ClientError) as exc:
        client.get_metric_data(MetricDataQueries=queries, NextToken="garbage", **window(1))
    assert sb.error_of(exc)[0] == "InvalidNextToken"
    assert base64.urlsafe_b64decode(first["NextToken"] + "==")  # opaque, but not random


def test_five_minute_data_is_kept_63_days_hourly_beyond():
    # 91 days of history: the 90-day window starts on the hour, up to 55 minutes before the reset's 90 days.
    _, ids = sb.make_fleet(1, extra=("--users", "8", "--usage-days", "91"))
    client = cloudwatch()
    queries = [query("five", ids[0]), query("hour", ids[0], period=3600, stat="Sum")]
    data, calls = all_pages(client, MetricDataQueries=queries, ScanBy="TimestampAscending", **window(90, align=3600))
    assert calls == 1
    five_stamps, _ = data["five"]
    hour_stamps, hour = data["hour"]
    oldest_five = five_stamps[0].timestamp()
    assert dt.datetime.now(UTC).timestamp() - oldest_five == pytest.approx(63 * DAY, abs=600)
    assert len(hour) == 90 * 24
    assert sum(hour) / 12 == 3 * 360  # the heavy user, 90 days


def test_usage_days_sets_how_far_back_history_goes():
    seed, ids = sb.make_fleet(1, extra=("--users", "1", "--usage-days", "10"))
    assert seed["Settings"]["UsageDays"] == 10
    client = cloudwatch()
    data, _ = all_pages(client, MetricDataQueries=[query("h", ids[0], period=3600)], **window(30))
    assert 10 * 24 <= len(data["h"][1]) <= 10 * 24 + 1


def test_available_and_stopped_follow_the_running_mode(fleet):
    _, ids = fleet
    ws = sb.client()
    ws.modify_workspace_properties(WorkspaceId=ids[0], WorkspaceProperties={"RunningMode": "ALWAYS_ON"})
    ws.modify_workspace_properties(
        WorkspaceId=ids[2],
        WorkspaceProperties={"RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 60},
    )
    client = cloudwatch()
    queries = [
        query("on_available", ids[0], metric="Available", period=3600),
        query("on_stopped", ids[0], metric="Stopped", period=3600),
        query("auto_connected", ids[2], metric="UserConnected", period=3600, stat="Sum"),
        query("auto_available", ids[2], metric="Available", period=3600, stat="Sum"),
        query("auto_stopped", ids[2], metric="Stopped", period=3600, stat="Sum"),
    ]
    time.sleep(0.2)  # the modification settles (its duration times the --time-scale of make_fleet)
    data, _ = all_pages(client, MetricDataQueries=queries, **window(4))
    assert set(data["on_available"][1]) == {1.0} and set(data["on_stopped"][1]) == {0.0}
    connected, available, stopped = (data[k][1] for k in ("auto_connected", "auto_available", "auto_stopped"))
    # Light user: 1 hour every other day, then 1 hour more running until AutoStop stops it.
    assert sum(connected) == 2 * 12
    assert sum(available) == 2 * (12 + 12)
    assert [a + s for a, s in zip(available, stopped, strict=True)] == [12.0] * len(available)


def fleet_at(clock: sb.FakeClock, *users: str) -> tuple[dict[str, Any], list[str]]:
    """WorkSpaces for `users`, created and AVAILABLE on the fake clock."""
    seed = sb.reset(*sb.FAST, "--users", "8")
    created = sb.client().create_workspaces(Workspaces=[sb.request(seed, u) for u in users])
    assert not created["FailedRequests"]
    clock.advance(60)
    return seed, [w["WorkspaceId"] for w in created["PendingRequests"]]


def test_connection_status_agrees_with_the_metrics(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    day = clock.now // DAY * DAY
    clock.now = day + 12 * 3600  # 12:01 UTC once created: heavy and part-time users connected, light not
    _, ids = fleet_at(clock, "user0001", "user0002", "user0003", "user0004")
    statuses = sb.client().describe_workspaces_connection_status(WorkspaceIds=ids)["WorkspacesConnectionStatus"]
    by_id = {s["WorkspaceId"]: s for s in statuses}
    heavy, part, light, never = (by_id[w] for w in ids)
    assert heavy["ConnectionState"] == part["ConnectionState"] == "CONNECTED"
    assert light["ConnectionState"] == never["ConnectionState"] == "DISCONNECTED"
    assert heavy["LastKnownUserConnectionTimestamp"].timestamp() == day + 7 * 3600
    assert part["LastKnownUserConnectionTimestamp"].timestamp() == day + 9 * 3600
    assert "LastKnownUserConnectionTimestamp" not in never
    assert heavy["ConnectionStateCheckTimestamp"].timestamp() == pytest.approx(clock.now, abs=0.01)
    # The light user's last session, as the metrics show it.
    data, _ = all_pages(cloudwatch(), MetricDataQueries=[query("l", ids[2])], **window(3, now=clock.now))
    connected = [t.timestamp() for t, v in zip(*data["l"], strict=True) if v]
    last_session = [t for t in connected if t > connected[0] - 3600]
    assert light["LastKnownUserConnectionTimestamp"].timestamp() == min(last_session)
    assert sb.counts()["DescribeWorkspacesConnectionStatus"] == 1
    # Stopped: UNKNOWN (AWS: the state is unknown while a WorkSpace is stopped).
    sb.client().modify_workspace_properties(WorkspaceId=ids[0], WorkspaceProperties={"RunningMode": "AUTO_STOP"})
    clock.advance(60)
    sb.client().stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": ids[0]}])
    clock.advance(60)
    [stopped] = sb.client().describe_workspaces_connection_status(WorkspaceIds=ids[:1])["WorkspacesConnectionStatus"]
    assert stopped["ConnectionState"] == "UNKNOWN"
    # From the stop on, the metrics say so too: nobody connected, not available, stopped.
    stopped_at = clock.now - 60
    clock.advance(3600)
    queries = [query(m.lower(), ids[0], metric=m) for m in ("UserConnected", "Available", "Stopped")]
    data, _ = all_pages(cloudwatch(), MetricDataQueries=queries, **window(0.25, now=clock.now))
    for name, after, before in (("userconnected", 0.0, 1.0), ("available", 0.0, 1.0), ("stopped", 1.0, 0.0)):
        stamps, values = data[name]
        assert {v for t, v in zip(stamps, values, strict=True) if t.timestamp() >= stopped_at + 300} == {after}
        assert {v for t, v in zip(stamps, values, strict=True) if t.timestamp() < stopped_at - 300} == {before}
    [still] = sb.client().describe_workspaces_connection_status(WorkspaceIds=ids[:1])["WorkspacesConnectionStatus"]
    assert still["LastKnownUserConnectionTimestamp"].timestamp() == day + 7 * 3600


def test_connection_status_takes_at_most_25_ids(fleet):
    _, ids = fleet
    with pytest.raises(ClientError) as exc:
        sb.client().describe_workspaces_connection_status(WorkspaceIds=[ids[0]] * 26)
    code, message, status = sb.error_of(exc)
    assert (code, status) == ("ValidationException", 400)
    assert "25" in message
    everything = sb.client().describe_workspaces_connection_status()["WorkspacesConnectionStatus"]
    assert sorted(s["WorkspaceId"] for s in everything) == sorted(ids)


def test_terminated_and_failed_workspaces_report_nothing(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed, ids = fleet_at(clock, "user0001", "user0002")
    terminated_at = clock.now
    sb.client().terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": ids[0]}])
    failed = sb.client().create_workspaces(
        Workspaces=[{**sb.request(seed, "user0005"), "BundleId": sb.failing_bundle_id(seed)}]
    )["PendingRequests"][0]["WorkspaceId"]
    clock.advance(3600)
    queries = [query("gone", ids[0]), query("err", failed), query("ok", ids[1])]
    data, _ = all_pages(cloudwatch(), MetricDataQueries=queries, **window(1, now=clock.now))
    gone_stamps = data["gone"][0]
    assert gone_stamps and max(gone_stamps).timestamp() < terminated_at  # nothing after the termination
    assert data["err"] == ([], [])
    assert len(data["ok"][1]) == 288


def test_other_metrics_units_and_dimensions_have_no_data(fleet):
    _, ids = fleet
    client = cloudwatch()
    unknown = query("unknown", ids[0], metric="InSessionLatency")
    by_directory = query("bydir", ids[0])
    by_directory["MetricStat"]["Metric"]["Dimensions"] = [{"Name": "DirectoryId", "Value": "d-123"}]
    wrong_unit = query("unit", ids[0])
    wrong_unit["MetricStat"]["Unit"] = "Seconds"
    labelled = {**query("lab", ids[0]), "Label": "mine"}
    hidden = {**query("hidden", ids[0]), "ReturnData": False}
    answer = client.get_metric_data(
        MetricDataQueries=[unknown, by_directory, wrong_unit, labelled, hidden], **window(1)
    )
    results = {r["Id"]: r for r in answer["MetricDataResults"]}
    assert set(results) == {"unknown", "bydir", "unit", "lab"}
    for key in ("unknown", "bydir", "unit"):
        assert results[key]["Values"] == [] and results[key]["StatusCode"] == "Complete"
    assert results["lab"]["Label"] == "mine" and len(results["lab"]["Values"]) == 288
    assert results["unknown"]["Label"] == "InSessionLatency"
    assert answer["Messages"] == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda q: [query(f"q{i}", "ws-1") for i in range(501)], "ValidationError"),
        (lambda q: [query("Upper", "ws-1")], "ValidationError"),
        (lambda q: [query("a", "ws-1"), query("a", "ws-2")], "ValidationError"),
        (lambda q: [query("a", "ws-1", period=90)], "ValidationError"),
        (lambda q: [query("a", "ws-1", stat="Max")], "ValidationError"),
        (lambda q: [{"Id": "e", "Expression": "SUM(METRICS())"}], "InvalidParameterValue"),
        (lambda q: [{"Id": "e"}], "ValidationError"),
    ],
)
def test_get_metric_data_refuses_what_cloudwatch_refuses(change, code):
    sb.reset()
    client = cloudwatch()
    with pytest.raises(ClientError) as exc:
        client.get_metric_data(MetricDataQueries=change([]), **window(1))
    assert sb.error_of(exc)[0] == code
    assert sb.error_of(exc)[2] == 400


def test_start_must_be_before_end():
    sb.reset()
    times = window(1)
    with pytest.raises(ClientError) as exc:
        cloudwatch().get_metric_data(
            MetricDataQueries=[query("a", "ws-1")], StartTime=times["EndTime"], EndTime=times["StartTime"]
        )
    assert sb.error_of(exc)[:2] == (
        "ValidationError",
        "The parameter StartTime must be less than the parameter EndTime.",
    )


def test_get_metric_statistics_gives_the_same_data(fleet):
    _, ids = fleet
    client = cloudwatch()
    metric = {
        "Namespace": "AWS/WorkSpaces",
        "MetricName": "UserConnected",
        "Dimensions": [{"Name": "WorkspaceId", "Value": ids[0]}],
    }
    answer = client.get_metric_statistics(**metric, Period=DAY, Statistics=["Sum", "Maximum"], **window(30))
    assert answer["Label"] == "UserConnected"
    points = answer["Datapoints"]
    assert len(points) == 30
    assert sum(p["Sum"] for p in points) / 12 == 360
    assert {p["Unit"] for p in points} == {"Count"} and {p["Maximum"] for p in points} == {1.0}
    # On the hour: a bucket cut mid-session (6 of 12 points at 1 at :30) has a nearest-rank p50 of 0.
    extended = client.get_metric_statistics(**metric, Period=3600, ExtendedStatistics=["p50"], **window(1, align=3600))
    assert sum(p["ExtendedStatistics"]["p50"] for p in extended["Datapoints"]) == 12
    with pytest.raises(ClientError) as exc:
        client.get_metric_statistics(**metric, Period=300, Statistics=["Sum"], **window(30))
    code, message, _ = sb.error_of(exc)
    assert code == "InvalidParameterCombination" and "exceeds the limit of 1440" in message
    with pytest.raises(ClientError) as exc:
        client.get_metric_statistics(**metric, Period=90, Statistics=["Sum"], **window(1))
    assert sb.error_of(exc)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError) as exc:
        client.get_metric_statistics(**metric, Period=300, Statistics=["Sum"], ExtendedStatistics=["p90"], **window(1))
    assert sb.error_of(exc)[0] == "InvalidParameterCombination"
    assert sb.counts()["GetMetricStatistics"] == 5


@pytest.mark.parametrize("protocol", ["smithy-rpc-v2-cbor", "query"])
def test_every_protocol_of_the_model_answers_alike(fleet, protocol):
    """CBOR (the model's first protocol) and query (what botocore before 1.3x's json model sends) as json."""
    _, ids = fleet
    params = {
        "MetricDataQueries": [query("a", ids[0]), query("b", ids[2], period=3600, stat="Sum")],
        "MaxDatapoints": 200,
        **window(2),
    }
    as_json, _ = all_pages(cloudwatch(), **params)
    other, calls = all_pages(cloudwatch(protocol=protocol), **params)
    assert calls == -(-(2 * 288 + 48) // 200)
    assert {k: ([t.timestamp() for t in v[0]], [float(x) for x in v[1]]) for k, v in other.items()} == {
        k: ([t.timestamp() for t in v[0]], v[1]) for k, v in as_json.items()
    }
    client = cloudwatch(protocol=protocol)
    with pytest.raises(ClientError) as exc:
        client.get_metric_data(MetricDataQueries=[query("a", ids[0], period=90)], **window(1))
    assert sb.error_of(exc)[:1] + sb.error_of(exc)[2:] == ("ValidationError", 400)
    metric = {"Namespace": "AWS/WorkSpaces", "MetricName": "UserConnected"}
    dims = [{"Name": "WorkspaceId", "Value": ids[0]}]
    stats = client.get_metric_statistics(**metric, Dimensions=dims, Period=DAY, Statistics=["Sum"], **window(3))
    assert [p["Sum"] for p in stats["Datapoints"]] == [144.0] * 3
    extended = client.get_metric_statistics(
        **metric, Dimensions=dims, Period=3600, ExtendedStatistics=["p50"], **window(1, align=3600)
    )
    assert sum(p["ExtendedStatistics"]["p50"] for p in extended["Datapoints"]) == 12


def test_throttling_reaches_cloudwatch_too():
    sb.reset("--throttle-rate", "1")
    with pytest.raises(ClientError) as exc:
        cloudwatch().get_metric_data(MetricDataQueries=[query("a", "ws-1")], **window(1))
    assert sb.error_of(exc)[0] == "Throttling"
    assert json.dumps(sb.counts()) == json.dumps({"GetMetricData": 1})


def test_five_hundred_queries_in_one_call(fleet):
    _, ids = fleet
    queries = [query(f"q{i}", ids[i % 4]) for i in range(500)]
    answer = cloudwatch().get_metric_data(MetricDataQueries=queries, **window(1 / 24))
    assert [len(r["Values"]) for r in answer["MetricDataResults"]] == [12] * 500
    assert "NextToken" not in answer


def test_the_wire_format_is_aws_json_1_0_with_query_error_codes():
    """What botocore 1.44 sends for CloudWatch (json before smithy-rpc-v2-cbor in its priority) and gets back."""
    from wsctl.sandbox.backend import Backend

    sb.reset()
    backend = Backend()
    headers = {
        "X-Amz-Target": "GraniteServiceVersion20100801.GetMetricData",
        "Content-Type": "application/x-amz-json-1.0",
        "x-amzn-query-mode": "true",
    }
    now = time.time()
    body = {"MetricDataQueries": [query("a", "ws-none")], "StartTime": now - 3600, "EndTime": now}
    status, reply_headers, raw = backend.handle_request("/", headers, json.dumps(body).encode())
    assert status == 200 and reply_headers["Content-Type"] == "application/x-amz-json-1.0"
    assert json.loads(raw) == {
        "MetricDataResults": [
            {"Id": "a", "Label": "UserConnected", "Timestamps": [], "Values": [], "StatusCode": "Complete"}
        ],
        "Messages": [],
    }
    bad = {**body, "StartTime": "yesterday"}
    status, reply_headers, raw = backend.handle_request("/", headers, json.dumps(bad).encode())
    assert status == 400 and json.loads(raw)["__type"] == "SerializationException"
    period = {**body, "MetricDataQueries": [query("a", "ws-none", period=61)]}
    status, reply_headers, raw = backend.handle_request("/", headers, json.dumps(period).encode())
    assert (status, reply_headers["x-amzn-query-error"]) == (400, "ValidationError;Sender")
    token = {**body, "NextToken": "x"}
    status, reply_headers, raw = backend.handle_request("/", headers, json.dumps(token).encode())
    assert (json.loads(raw)["__type"], reply_headers["x-amzn-query-error"]) == (
        "InvalidNextToken",
        "InvalidNextToken;Sender",
    )


def test_sessions_per_month_are_published_with_the_hours(fleet):
    seed, ids = fleet
    data, _ = all_pages(
        cloudwatch(), MetricDataQueries=[query(f"q{i}", w) for i, w in enumerate(ids)], ScanBy="TimestampAscending",
        **window(30, align=DAY),
    )  # fmt: skip
    for i, user in enumerate(("user0001", "user0002", "user0003", "user0004")):
        values = data[f"q{i}"][1]
        sessions = sum(1 for k, v in enumerate(values) if v and (k == 0 or not values[k - 1]))
        assert sessions == seed["UsageProfiles"][user]["SessionsPerMonth"]


@pytest.mark.parametrize("period", [60, 120, 300, 360, 900, 3600, DAY])
def test_any_period_sums_to_the_same_connected_time(fleet, period):
    _, ids = fleet
    # A start on no 5-minute boundary: buckets begin at StartTime (rounded down to the minute).
    end = time.time() // 300 * 300 - 7 * 60
    times = {"StartTime": dt.datetime.fromtimestamp(end - 2 * DAY, UTC), "EndTime": dt.datetime.fromtimestamp(end, UTC)}
    queries = [
        query("five", ids[1], stat="Sum"),
        query("sum", ids[1], period=period, stat="Sum"),
        query("count", ids[1], period=period, stat="SampleCount"),
    ]
    data, _ = all_pages(cloudwatch(), MetricDataQueries=queries, ScanBy="TimestampAscending", **times)
    five = data["five"][1]
    assert sum(data["sum"][1]) == sum(five) > 0
    assert sum(data["count"][1]) == len(five) == 2 * 288
    stamps = [t.timestamp() for t in data["sum"][0]]
    assert all((s - stamps[0]) % period == 0 for s in stamps)
    assert stamps[0] >= times["StartTime"].timestamp() - 60


def test_the_workspaces_rate_limit_leaves_cloudwatch_alone():
    sb.reset("--rate-limit", "0.001", "--burst", "1")
    sb.client().describe_workspaces()  # the one request the bucket allows
    with pytest.raises(ClientError) as exc:
        sb.client().describe_workspaces()
    assert sb.error_of(exc)[0] == "ThrottlingException"
    for _ in range(3):
        cloudwatch().get_metric_data(MetricDataQueries=[query("a", "ws-1")], **window(1))
    assert sb.counts() == {"DescribeWorkspaces": 2, "GetMetricData": 3}


@pytest.mark.parametrize(
    ("stat", "ones", "samples", "expected"),
    [("p50", 6, 12, 0.0), ("p50", 7, 12, 1.0), ("p90", 2, 12, 1.0), ("p90", 1, 12, 0.0), ("p100", 1, 12, 1.0)],
)
def test_percentiles_are_nearest_rank(stat, ones, samples, expected):
    """The smallest value with at least NN% of the samples at or below it: an even split is 0."""
    from wsctl.sandbox.metrics import aggregate

    assert aggregate(stat, ones, samples) == expected
