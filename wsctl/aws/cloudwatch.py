"""The CloudWatch side of `wsctl usage`: the client and GetMetricData for AWS/WorkSpaces UserConnected.

GetMetricData takes up to 500 queries and returns up to 100,800 data points a call, paged by
NextToken (workspaces-api.md, "Usage and the running-mode decision"). All queries of a call
share one time window, so the calls are planned over WorkSpaces *and* time: the period is cut
into the number of windows that, with as many WorkSpaces a call as fit, needs the fewest calls
(1,000 WorkSpaces x 30 days at 5 minutes: 43 windows of 201 points, 500 WorkSpaces a call, 86 calls;
the Cost Optimizer's one GetMetricStatistics per WorkSpace per 5 days makes 6,000).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from wsctl.aws.calls import ServiceBase, chunked
from wsctl.aws.ratelimit import TokenBucket
from wsctl.options import GlobalOptions
from wsctl.spec.usage import Series

MAX_QUERIES = 500
MAX_POINTS = 100_800
NAMESPACE = "AWS/WorkSpaces"
METRIC = "UserConnected"
Points = dict[str, Series]  # WorkspaceId -> its UserConnected points
_MAX_WINDOWS = 64  # more windows never pay: each adds calls for the same points


def build_cloudwatch_client(options: GlobalOptions, rate_limiter: TokenBucket, session: Any = None) -> Any:
    """A CloudWatch client with the WorkSpaces client's profile, Region, retries, rate limit and --debug.

    `session`: the run's botocore session, so credentials (an MFA prompt, an assumed role) are
    resolved once for both clients.
    """
    from wsctl.aws.clients import build_client

    return build_client(options, rate_limiter, service="cloudwatch", session=session, timestamp_parser=raw_timestamps)


@dataclass(frozen=True)
class MetricCall:
    start: dt.datetime
    end: dt.datetime
    workspace_ids: tuple[str, ...]


def plan_calls(workspace_ids: Sequence[str], start: dt.datetime, end: dt.datetime, period: int) -> list[MetricCall]:
    """The GetMetricData calls for these WorkSpaces over [start, end): fewest calls that fit both limits."""
    ids = list(dict.fromkeys(workspace_ids))
    if not ids or end <= start:
        return []
    total = math.ceil((end - start).total_seconds() / period)
    best: tuple[int, int, int] | None = None  # (calls, windows, points a window)
    for windows in range(1, min(total, _MAX_WINDOWS) + 1):
        per_window = math.ceil(total / windows)
        per_call = min(MAX_QUERIES, MAX_POINTS // per_window)
        if per_call == 0:
            continue
        calls = math.ceil(total / per_window) * math.ceil(len(ids) / per_call)
        if best is None or calls < best[0]:
            best = (calls, windows, per_window)
    if best is None:  # pragma: no cover - a window of one point always fits
        raise ValueError("no GetMetricData plan fits")
    _, _, per_window = best
    per_call = min(MAX_QUERIES, MAX_POINTS // per_window)
    step = dt.timedelta(seconds=per_window * period)
    out: list[MetricCall] = []
    window_start = start
    while window_start < end:
        window_end = min(window_start + step, end)
        out += [MetricCall(window_start, window_end, tuple(chunk)) for chunk in chunked(ids, per_call)]
        window_start = window_end
    return out


@dataclass
class MetricData:
    points: Points = field(default_factory=dict)
    calls: int = 0  # GetMetricData requests, pages included
    problems: list[str] = field(default_factory=list)  # StatusCode other than Complete, Messages


class CloudWatchService(ServiceBase):
    """Handed a botocore CloudWatch client; read-only calls only."""

    def __init__(self, client: Any, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        client.meta.events.register("before-parameter-build.cloudwatch", self.calls)

    def user_connected(
        self, workspace_ids: Sequence[str], start: dt.datetime, end: dt.datetime, period: int
    ) -> MetricData:
        """UserConnected (Maximum) per WorkSpace over [start, end) at `period` seconds, every page."""
        data = MetricData({i: Series() for i in dict.fromkeys(workspace_ids)})

        def fetch(call: MetricCall) -> tuple[Points, int, list[str]]:
            return self._fetch(call, period)

        for points, calls, problems in self.map_concurrently(fetch, plan_calls(workspace_ids, start, end, period)):
            for workspace_id, found in points.items():
                data.points[workspace_id].stamps.extend(found.stamps)
                data.points[workspace_id].connected.extend(found.connected)
            data.calls += calls
            data.problems += problems
        for found in data.points.values():
            found.finish()
        return data

    def _fetch(self, call: MetricCall, period: int) -> tuple[Points, int, list[str]]:
        by_query = {f"w{index}": workspace_id for index, workspace_id in enumerate(call.workspace_ids)}
        params: dict[str, Any] = {
            "MetricDataQueries": [
                {
                    "Id": query_id,
                    "MetricStat": {
                        "Metric": {
                            "Namespace": NAMESPACE,
                            "MetricName": METRIC,
                            "Dimensions": [{"Name": "WorkspaceId", "Value": workspace_id}],
                        },
                        "Period": period,
                        "Stat": "Maximum",  # as the Cost Optimizer reads it
                    },
                    "ReturnData": True,
                }
                for query_id, workspace_id in by_query.items()
            ],
            "StartTime": call.start,
            "EndTime": call.end,
            "ScanBy": "TimestampAscending",
        }
        points: Points = {i: Series() for i in call.workspace_ids}
        problems: list[str] = []
        calls = 0
        while True:
            response = self._call("get_metric_data", **params)
            calls += 1
            for result in response.get("MetricDataResults", []):
                workspace_id = by_query.get(str(result.get("Id")))
                if workspace_id is None:
                    continue
                stamps = result.get("Timestamps", [])
                if not all(isinstance(t, int | float) for t in stamps):
                    stamps = [_epoch(t) for t in stamps]
                points[workspace_id].extend(stamps, result.get("Values", []))
                status = result.get("StatusCode", "Complete")
                if status not in ("Complete", "PartialData"):
                    problems.append(f"{workspace_id}: GetMetricData answered {status}")
            problems += [f"GetMetricData: {m.get('Code')}: {m.get('Value')}" for m in response.get("Messages", [])]
            token = response.get("NextToken")
            if not token:
                return points, calls, problems
            params["NextToken"] = token


def _epoch(value: Any) -> float:
    """Epoch seconds of a timestamp as the client's parser left it (see `raw_timestamps`)."""
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def raw_timestamps(value: Any) -> Any:
    """The CloudWatch client's timestamp parser: epoch numbers stay numbers.

    botocore's default turns each into a datetime in the local time zone through dateutil, about
    40 microseconds a point: 6 minutes for 1,000 WorkSpaces x 30 days. The query protocol's
    ISO strings are left as text and read by `_epoch`.
    """
    return value
