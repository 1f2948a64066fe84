"""CloudWatch GetMetricData and GetMetricStatistics over the seeded usage (see `usage`).

Data points are computed on demand from each WorkSpace's usage profile, a page at a time:
how many points a query has is arithmetic, so a NextToken is just an offset into the
request's points (with the clock reading of the first page, so that pages agree).

What CloudWatch does and the sandbox copies (GetMetricData and MetricStat docs in the
installed botocore model, CloudWatch user guide): up to 500 queries and 100,800 data points
a call (MaxDatapoints lowers it), newest first unless ScanBy TimestampAscending; a Period of
1, 5, 10, 20, 30 or a multiple of 60; data older than 3 hours only at multiples of 60,
older than 15 days only at multiples of 300, older than 63 days only at multiples of 3600
(for shorter periods that time range has no data points); StartTime rounded down to the
minute, 5 minutes or hour by its age. Buckets are aligned to the rounded StartTime.
Unsourced: which error codes and messages AWS gives for a malformed query (the sandbox
answers ValidationError or InvalidParameterValue as marked), and how AWS splits results
across pages (here a page holds the queries that have points in it, and the first page
also those that have none).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from wsctl.sandbox.usage import SLOT, History, Series, SeriesLike

NAMESPACE = "AWS/WorkSpaces"
DIMENSION = "WorkspaceId"
METRICS = ("UserConnected", "Available", "Stopped")
UNIT = "Count"  # UNVERIFIED: the unit WorkSpaces publishes these metrics with
MAX_QUERIES = 500
MAX_DATAPOINTS = 100_800
MAX_STATISTICS_DATAPOINTS = 1_440
HIGH_RESOLUTION_PERIODS = (1, 5, 10, 20, 30)
_HOUR = 3600
_DAY = 86400
_ID = re.compile(r"[a-z][a-zA-Z0-9_]*")
_PERCENTILE = re.compile(r"p(100(\.0+)?|[0-9]{1,2}(\.[0-9]+)?)")
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")

Lookup = Callable[[list[str]], Mapping[str, History]]


class CloudWatchError(Exception):
    """An error answer, by its query-protocol code (InvalidParameterValue, ...)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def _validation(message: str) -> CloudWatchError:
    return CloudWatchError("ValidationError", message)


def _invalid(message: str) -> CloudWatchError:
    return CloudWatchError("InvalidParameterValue", message)


# --- one metric's points -----------------------------------------------------------------------


@dataclass(frozen=True)
class Points:
    """The data points of one metric and statistic in a time range, computed on demand."""

    series: SeriesLike | None
    stat: str
    start: int  # the rounded StartTime: buckets start at start + k * period
    period: int
    first: int  # sample slots [first, end)
    end: int

    @property
    def count(self) -> int:
        if self.series is None or self.first >= self.end:
            return 0
        if self.period < SLOT:
            return self.end - self.first
        return self._bucket(self.end - 1) - self._bucket(self.first) + 1

    def _bucket(self, slot: int) -> int:
        return (slot * SLOT - self.start) // self.period

    def point(self, i: int) -> tuple[int, float]:
        """The i-th point, oldest first: (timestamp, value)."""
        assert self.series is not None
        if self.period < SLOT:
            slot = self.first + i
            k = self._bucket(slot)
            lo, hi = slot, slot + 1
        else:
            k = self._bucket(self.first) + i
            begins = self.start + k * self.period
            lo = max(self.first, -(-begins // SLOT))
            hi = min(self.end, -(-(begins + self.period) // SLOT))
        return self.start + k * self.period, aggregate(self.stat, self.series.ones(lo, hi), hi - lo)

    def points(self, lo: int, hi: int, descending: bool) -> tuple[list[int], list[float]]:
        """Points [lo, hi) in the order asked for (lo, hi count in that order)."""
        n = self.count
        if self.period == SLOT and self.start % SLOT == 0 and isinstance(self.series, Series):
            # The common case (5-minute data, aligned start): one sample a point, no aggregation.
            slots = (
                range(self.first + n - 1 - lo, self.first + n - 1 - hi, -1)
                if descending
                else range(self.first + lo, self.first + hi)
            )
            values_of, period = self.series.values, self.series.period
            as_value = {0: aggregate(self.stat, 0, 1), 1: aggregate(self.stat, 1, 1)}
            return [s * SLOT for s in slots], [as_value[values_of[s % period]] for s in slots]
        indexes = range(n - 1 - lo, n - 1 - hi, -1) if descending else range(lo, hi)
        stamps: list[int] = []
        values: list[float] = []
        point = self.point
        for i in indexes:
            stamp, value = point(i)
            stamps.append(stamp)
            values.append(value)
        return stamps, values


def aggregate(stat: str, ones: int, samples: int) -> float:
    """A statistic of `samples` 0/1 values of which `ones` are 1."""
    if stat == "Sum":
        return float(ones)
    if stat == "SampleCount":
        return float(samples)
    if stat == "Average":
        return ones / samples
    if stat == "Maximum":
        return 1.0 if ones else 0.0
    if stat == "Minimum":
        return 1.0 if ones == samples else 0.0
    # pNN: the smallest value with at least NN% of the samples at or below it.
    rank = max(1, math.ceil(float(stat[1:]) / 100 * samples))
    return 1.0 if samples - ones < rank else 0.0


def valid_stat(stat: str) -> bool:
    return stat in STATISTICS or _PERCENTILE.fullmatch(stat) is not None


def valid_period(period: int) -> bool:
    return period in HIGH_RESOLUTION_PERIODS or (period > 0 and period % 60 == 0)


def round_start(start: float, now: float) -> int:
    """StartTime as CloudWatch rounds it: down to the minute, 5 minutes or hour by its age."""
    age = now - start
    unit = 60 if age < 15 * _DAY else SLOT if age < 63 * _DAY else _HOUR
    return int(start // unit * unit)


def oldest_kept(period: int, now: float) -> float:
    """The oldest time that has data at this period (CloudWatch's retention by resolution)."""
    if period % _HOUR == 0:
        return -math.inf  # 1-hour data is kept 455 days, longer than any sandbox history
    if period % SLOT == 0:
        return now - 63 * _DAY
    if period % 60 == 0:
        return now - 15 * _DAY
    return now - 3 * _HOUR


def metric_points(
    history: History | None,
    metric: Mapping[str, Any],
    unit: str | None,
    stat: str,
    period: int,
    start: int,
    end: float,
    now: float,
) -> Points:
    """The points of `metric` ({Namespace, MetricName, Dimensions}) for the WorkSpace of `history`."""
    series = None
    if history is not None and unit in (None, UNIT) and metric.get("Namespace") == NAMESPACE:
        series = history.series(str(metric.get("MetricName")))
    if series is None or history is None:
        return Points(None, stat, start, period, 0, 0)
    floor = max(float(start), oldest_kept(period, now))
    first = max(history.first, int(-(-floor // SLOT)))
    last = min(history.end, int(-(-end // SLOT)))
    return Points(series, stat, start, period, first, last)


def workspace_of(metric: Mapping[str, Any]) -> str | None:
    """The WorkspaceId of a metric whose only dimension is WorkspaceId (the sandbox has no others)."""
    dimensions = metric.get("Dimensions") or []
    if len(dimensions) == 1 and dimensions[0].get("Name") == DIMENSION:
        return str(dimensions[0].get("Value"))
    return None


# --- GetMetricData ---------------------------------------------------------------------------------


def get_metric_data(params: Mapping[str, Any], now: float, lookup: Lookup) -> dict[str, Any]:
    queries = params.get("MetricDataQueries") or []
    _check_queries(queries)
    key = _request_key(params)
    offset, now = _decode_token(params.get("NextToken"), key, now)
    start_time, end_time = _times(params)
    if start_time >= end_time:
        raise _validation("The parameter StartTime must be less than the parameter EndTime.")
    limit = params.get("MaxDatapoints")
    if limit is not None and limit < 1:
        raise _validation("The parameter MaxDatapoints must be greater than 0.")
    limit = min(int(limit or MAX_DATAPOINTS), MAX_DATAPOINTS)
    descending = params.get("ScanBy", "TimestampDescending") != "TimestampAscending"
    start = round_start(start_time, now)

    returned = [q for q in queries if q.get("ReturnData", True)]
    wanted = [w for w in (workspace_of(q["MetricStat"]["Metric"]) for q in returned) if w is not None]
    histories = lookup(sorted(set(wanted)))
    plans = []
    for q in returned:
        stat = q["MetricStat"]
        metric = stat["Metric"]
        workspace = workspace_of(metric)
        points = metric_points(
            histories.get(workspace) if workspace else None,
            metric,
            stat.get("Unit"),
            stat["Stat"],
            int(stat["Period"]),
            start,
            end_time,
            now,
        )
        plans.append((q["Id"], q.get("Label") or str(metric.get("MetricName", "")), points))

    results: list[dict[str, Any]] = []
    position = 0
    stop = offset + limit
    for query_id, label, points in plans:
        count = points.count
        lo, hi = max(offset, position), min(stop, position + count)
        if lo < hi or (count == 0 and offset == 0):
            stamps, values = points.points(lo - position, hi - position, descending) if lo < hi else ([], [])
            results.append(
                {
                    "Id": query_id,
                    "Label": label,
                    "Timestamps": stamps,
                    "Values": values,
                    "StatusCode": "PartialData" if position + count > stop else "Complete",
                }
            )
        position += count
    answer: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
    if position > stop:
        answer["NextToken"] = _encode_token(key, stop, now)
    return answer


def _check_queries(queries: list[dict[str, Any]]) -> None:
    if not queries:
        raise CloudWatchError("MissingParameter", "The parameter MetricDataQueries is required.")
    if len(queries) > MAX_QUERIES:
        raise _validation(
            f"1 validation error detected: Value '[...]' at 'metricDataQueries' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_QUERIES} (got {len(queries)} queries)"
        )
    seen: set[str] = set()
    for n, q in enumerate(queries, 1):
        where = f"MetricDataQueries.member.{n}"
        query_id = q.get("Id", "")
        if not _ID.fullmatch(query_id):
            raise _validation(
                f"The value {query_id!r} for parameter {where}.Id is invalid: it must start with a lowercase "
                "letter and hold only letters, digits and underscores."
            )
        if query_id in seen:
            raise _validation(f"The value {query_id!r} for parameter {where}.Id is used more than once.")
        seen.add(query_id)
        if (q.get("MetricStat") is None) == (q.get("Expression") is None):
            raise _validation(f"Exactly one of MetricStat and Expression must be given in {where}.")
        if q.get("Expression") is not None:
            # A sandbox limit, not AWS's: metric math is not evaluated.
            raise _invalid(f"{where}.Expression: the wsctl sandbox does not evaluate metric math; use MetricStat.")
        stat = q["MetricStat"]
        if not valid_period(int(stat["Period"])):
            raise _validation(
                f"The value {stat['Period']} for parameter {where}.MetricStat.Period is invalid: it must be "
                "1, 5, 10, 20, 30 or a multiple of 60."
            )
        if not valid_stat(str(stat["Stat"])):
            raise _validation(
                f"The value {stat['Stat']!r} for parameter {where}.MetricStat.Stat is invalid: the sandbox knows "
                f"{', '.join(STATISTICS)} and percentiles pNN."
            )


def _times(params: Mapping[str, Any]) -> tuple[float, float]:
    """StartTime and EndTime as epoch seconds (how AWS JSON 1.0 and RPC v2 CBOR carry timestamps)."""
    times = []
    for name in ("StartTime", "EndTime"):
        value = params.get(name)
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            raise CloudWatchError("SerializationException", f"{name} must be a timestamp in epoch seconds.")
        times.append(float(value))
    return times[0], times[1]


def _request_key(params: Mapping[str, Any]) -> str:
    kept = {k: v for k, v in params.items() if k not in ("NextToken", "MaxDatapoints")}
    text = json.dumps(kept, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _encode_token(key: str, offset: int, now: float) -> str:
    raw = json.dumps({"k": key, "o": offset, "n": now}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str | None, key: str, now: float) -> tuple[int, float]:
    """(offset, clock reading of the first page); (0, now) without a token."""
    if token is None:
        return 0, now
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if isinstance(data, dict) and data.get("k") == key and isinstance(data.get("o"), int):
            return int(data["o"]), float(data["n"])
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        pass
    raise CloudWatchError("InvalidNextToken", "The NextToken is not valid for this request; start again without it.")


# --- GetMetricStatistics ----------------------------------------------------------------------------


def get_metric_statistics(params: Mapping[str, Any], now: float, lookup: Lookup) -> dict[str, Any]:
    statistics = params.get("Statistics") or []
    extended = params.get("ExtendedStatistics") or []
    if not statistics and not extended:
        raise CloudWatchError("MissingParameter", "You must specify either Statistics or ExtendedStatistics.")
    if statistics and extended:
        raise CloudWatchError(
            "InvalidParameterCombination", "You must specify either Statistics or ExtendedStatistics, but not both."
        )
    for name in extended:
        if _PERCENTILE.fullmatch(name) is None:
            raise _invalid(f"The value {name!r} for parameter ExtendedStatistics is invalid: the sandbox knows pNN.")
    period = int(params["Period"])
    if not valid_period(period):
        raise _invalid("The parameter Period must be a multiple of 60.")
    start_time, end_time = _times(params)
    if start_time >= end_time:
        raise _invalid("The parameter StartTime must be less than the parameter EndTime.")
    requested = math.ceil((end_time - start_time) / period)
    if requested > MAX_STATISTICS_DATAPOINTS:
        raise CloudWatchError(
            "InvalidParameterCombination",
            f"You have requested up to {requested} datapoints, which exceeds the limit of "
            f"{MAX_STATISTICS_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, or "
            "decreasing the time range.",
        )
    metric = {k: params.get(k) for k in ("Namespace", "MetricName", "Dimensions")}
    workspace = workspace_of(metric)
    history = lookup([workspace]).get(workspace) if workspace else None
    start = round_start(start_time, now)
    names = list(statistics) + list(extended)
    columns = {
        name: metric_points(history, metric, params.get("Unit"), name, period, start, end_time, now) for name in names
    }
    count = next(iter(columns.values())).count
    datapoints = []
    for i in range(count):
        point: dict[str, Any] = {}
        for name, points in columns.items():
            stamp, value = points.point(i)
            point["Timestamp"] = stamp
            if name in extended:
                point.setdefault("ExtendedStatistics", {})[name] = value
            else:
                point[name] = value
        point["Unit"] = UNIT
        datapoints.append(point)
    return {"Label": str(params.get("MetricName", "")), "Datapoints": datapoints}


@functools.lru_cache(maxsize=1)
def raw_model() -> dict[str, Any]:
    """The installed botocore's CloudWatch model (shapes for validation and CBOR answers)."""
    import botocore.loaders

    data: dict[str, Any] = botocore.loaders.Loader().load_service_model("cloudwatch", "service-2")
    return data
