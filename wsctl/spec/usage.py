"""Usage arithmetic: sessions from UserConnected points, billable hours, break-even, recommendation.

Pure functions, no I/O. The method is the Cost Optimizer for Amazon WorkSpaces'
(aws-solutions/cost-optimizer-for-amazon-workspaces, `source/ecs/metrics_helper.py` and
`workspaces_helper.py`; summarised in /work/shared/docs/workspaces-api.md, "Usage and the
running-mode decision"), so its users can compare numbers:

- UserConnected (Maximum, 5-minute period): a point above 0 is an interval with a user connected.
- A session runs from its first connected interval to its last; it ends once there has been no
  connection for as long as the auto-stop timeout (the Cost Optimizer's "zero count": timeout / 5
  points; 1 hour for ALWAYS_ON). Shorter gaps stay inside the session and count in its length.
- Each session is billed as its length in hours rounded up, plus the auto-stop timeout after it
  (1 hour for ALWAYS_ON), the hours an AUTO_STOP WorkSpace keeps running before it stops.
- AUTO_STOP above the compute type's break-even goes ALWAYS_ON; ALWAYS_ON at or below it goes
  AUTO_STOP (the Cost Optimizer does that second switch only at month end).

Where wsctl goes beyond the Cost Optimizer (no source; wsctl's own rules, said where they apply):
- Missing intervals (no data point) count as "no connection" for ending a session, by time. The
  Cost Optimizer joins the points it has in order, so with missing data it can join two sessions
  hours apart into one short one; with complete data both methods give the same numbers.
- The saving is the distance from the break-even in hours: AUTO_STOP -> ALWAYS_ON saves
  billable - threshold, ALWAYS_ON -> AUTO_STOP saves threshold - billable (the break-even is the
  number of hourly-billed hours that cost as much as the monthly fee).
- A month is 30 days for scaling thresholds to other periods (the defaults apply to 30 days as given).
- `unused`, `--min-saving` and the MANUAL rule are wsctl's.
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# The Cost Optimizer's default break-even hours a month (its CloudFormation template parameters,
# see workspaces-api.md). Compute types without one get `keep` until --threshold sets one.
DEFAULT_THRESHOLDS: dict[str, float] = {
    "VALUE": 81,
    "STANDARD": 85,
    "PERFORMANCE": 83,
    "POWER": 83,
    "POWERPRO": 80,
    "GRAPHICS": 217,
    "GRAPHICSPRO": 80,
}
MONTH_DAYS = 30  # no source: the unit the thresholds are given in, for linear scaling
FIVE_MINUTES = 300
ONE_HOUR = 3600
# CloudWatch keeps 5-minute data 63 days, 1-hour data 455 days (CloudWatch documentation,
# workspaces-api.md).
FIVE_MINUTE_RETENTION_DAYS = 63
HOURLY_RETENTION_DAYS = 455
ALWAYS_ON_IDLE_MINUTES = 60  # the Cost Optimizer's AutoStopTimeoutHours default for ALWAYS_ON
DEFAULT_MIN_SAVING = 5.0
SKIP_TAG = "skip_convert"  # the Cost Optimizer's opt-out tag key, compared in lower case

KEEP, ALWAYS_ON, AUTO_STOP, UNUSED = "keep", "ALWAYS_ON", "AUTO_STOP", "unused"
RECOMMENDATIONS = (KEEP, ALWAYS_ON, AUTO_STOP, UNUSED)


@dataclass(frozen=True)
class Session:
    start: dt.datetime  # the start of the first connected interval
    intervals: int  # first to last connected interval, gaps inside included
    connected: int  # intervals with a user connected
    interval_seconds: int

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.intervals * self.interval_seconds)

    @property
    def hours(self) -> float:
        return self.intervals * self.interval_seconds / 3600

    @property
    def billed_hours(self) -> int:
        """The length in hours rounded up (the Cost Optimizer's ceil(points / 12) at 5 minutes)."""
        return math.ceil(self.intervals * self.interval_seconds / 3600)


@dataclass(frozen=True)
class Usage:
    sessions: tuple[Session, ...]
    idle_hours: float  # billed after each session: the auto-stop timeout (1 h for ALWAYS_ON)
    connected_intervals: int
    interval_seconds: int
    points: int  # data points seen (0: no data at all)

    @property
    def connected_hours(self) -> float:
        return self.connected_intervals * self.interval_seconds / 3600

    @property
    def billable_hours(self) -> float:
        return sum(s.billed_hours + self.idle_hours for s in self.sessions)

    @property
    def last_connected(self) -> dt.datetime | None:
        return self.sessions[-1].end if self.sessions else None


def idle_minutes(running_mode: str | None, auto_stop_timeout: int | None) -> int:
    """Minutes an idle WorkSpace keeps running: its timeout, or the Cost Optimizer's 1 hour for ALWAYS_ON.

    MANUAL (and a WorkSpace without a timeout) is treated as one hour too; no source.
    """
    if running_mode == "AUTO_STOP" and auto_stop_timeout:
        return int(auto_stop_timeout)
    return ALWAYS_ON_IDLE_MINUTES


class Series:
    """One WorkSpace's UserConnected points, compact: epoch seconds of every point and of the connected ones.

    1,000 WorkSpaces x 30 days are 8.6 million points; kept as (datetime, value) pairs they
    would take gigabytes, as two arrays of integers a few tens of megabytes.
    """

    def __init__(self) -> None:
        self.stamps: array[int] = array("q")
        self.connected: array[int] = array("q")

    def add(self, stamp: float, value: float) -> None:
        second = int(stamp)
        self.stamps.append(second)
        if value > 0:  # the Cost Optimizer reads Maximum: 1 when a user was connected in the interval
            self.connected.append(second)

    def extend(self, stamps: Sequence[float], values: Sequence[float]) -> None:
        """Many points at once (epoch seconds): one GetMetricData result."""
        seconds = [int(t) for t in stamps]
        self.stamps.extend(seconds)
        self.connected.extend(t for t, v in zip(seconds, values, strict=False) if v > 0)

    def finish(self) -> Series:
        """Sorted, duplicates (a point answered twice) dropped."""
        self.stamps = array("q", sorted(set(self.stamps)))
        self.connected = array("q", sorted(set(self.connected)))
        return self

    def between(self, start: float, end: float) -> Series:
        """The points in [start, end), epoch seconds."""
        out = Series()
        out.stamps = self.stamps[bisect_left(self.stamps, start) : bisect_left(self.stamps, end)]
        out.connected = self.connected[bisect_left(self.connected, start) : bisect_left(self.connected, end)]
        return out

    def connected_since(self, start: float) -> bool:
        return bool(self.connected) and self.connected[-1] >= start

    @classmethod
    def of(cls, points: Iterable[tuple[dt.datetime | float, float]]) -> Series:
        series = cls()
        for t, v in points:
            series.add(t.timestamp() if isinstance(t, dt.datetime) else t, v)
        return series.finish()


def find_sessions(connected: Sequence[int], *, interval_seconds: int, idle_minutes: int) -> list[Session]:
    """Sessions from the sorted epoch seconds of connected intervals.

    A session ends after `idle_minutes` without a connected interval, whether the intervals in
    between answered 0 or nothing (see the module docstring).
    """
    gap_end = max(1, math.ceil(idle_minutes * 60 / interval_seconds))
    sessions: list[Session] = []
    if not connected:
        return sessions
    start = last = connected[0]
    count = 1
    for t in connected[1:]:
        missing = round((t - last) / interval_seconds) - 1  # intervals without a connection in between
        if missing < gap_end:
            last, count = t, count + 1
            continue
        sessions.append(_session(start, last, count, interval_seconds))
        start = last = t
        count = 1
    sessions.append(_session(start, last, count, interval_seconds))
    return sessions


def _session(start: int, last: int, count: int, seconds: int) -> Session:
    return Session(dt.datetime.fromtimestamp(start, dt.UTC), round((last - start) / seconds) + 1, count, seconds)


def measure(
    points: Series | Iterable[tuple[dt.datetime | float, float]],
    *,
    interval_seconds: int,
    running_mode: str | None,
    auto_stop_timeout: int | None,
) -> Usage:
    series = points if isinstance(points, Series) else Series.of(points)
    idle = idle_minutes(running_mode, auto_stop_timeout)
    return Usage(
        sessions=tuple(find_sessions(series.connected, interval_seconds=interval_seconds, idle_minutes=idle)),
        idle_hours=idle / 60,
        connected_intervals=len(series.connected),
        interval_seconds=interval_seconds,
        points=len(series.stamps),
    )


def scaled_threshold(monthly: float, days: float) -> float:
    """Break-even hours for a period of `days`: linear in the period (a month is MONTH_DAYS days)."""
    return monthly * days / MONTH_DAYS


def hours_text(hours: float) -> str:
    return f"{hours:.0f}" if abs(hours - round(hours)) < 0.05 else f"{hours:.1f}"


def days_text(days: float) -> str:
    return hours_text(days)


@dataclass(frozen=True)
class Advice:
    recommendation: str
    reason: str
    saving: float  # hours in the period; 0 for keep


@dataclass(frozen=True)
class Facts:
    """What the recommendation of one WorkSpace depends on."""

    running_mode: str | None
    compute_type: str | None
    billable_hours: float
    has_data: bool
    connected_in_unused_window: bool  # metrics or LastKnownUserConnectionTimestamp
    skip_tag: bool = False
    # AUTO_STOP with a timeout over 60 minutes: the billable hours with a 60-minute one, which is
    # how the WorkSpace is judged once ALWAYS_ON (or switched back to AUTO_STOP at 60 minutes).
    billable_hours_at_60: float | None = None
    auto_stop_timeout: int | None = None


@dataclass(frozen=True)
class Rules:
    days: float
    thresholds: Mapping[str, float]  # hours a month
    unused_days: float
    min_saving: float = DEFAULT_MIN_SAVING
    month_end_only: bool = False
    month_end: bool = False  # today (UTC) is the last day of a month


def recommend(facts: Facts, rules: Rules) -> Advice:
    """keep, ALWAYS_ON, AUTO_STOP or unused, with the reason in words."""
    if facts.running_mode == "MANUAL":
        return Advice(KEEP, "MANUAL: reported, never recommended for a change", 0.0)
    if facts.skip_tag:
        return Advice(KEEP, "tag Skip_Convert: excluded from recommendations", 0.0)
    if not facts.connected_in_unused_window:
        return Advice(
            UNUSED,
            f"no user connection in {days_text(rules.unused_days)} d "
            "(neither in UserConnected nor in LastKnownUserConnectionTimestamp)",
            0.0,
        )
    compute = facts.compute_type or "-"
    monthly = rules.thresholds.get(compute)
    if monthly is None:
        return Advice(KEEP, f"no break-even threshold for {compute}: set one with --threshold {compute}=HOURS", 0.0)
    if not facts.has_data:
        return Advice(
            KEEP,
            f"no UserConnected data in the period, though a user connected within {days_text(rules.unused_days)} d",
            0.0,
        )
    return _by_threshold(facts, rules, compute, monthly)


def _by_threshold(facts: Facts, rules: Rules, compute: str, monthly: float) -> Advice:
    threshold = scaled_threshold(monthly, rules.days)
    billable = facts.billable_hours
    scaled = (
        "" if rules.days == MONTH_DAYS else f" ({hours_text(monthly)} h a month scaled to {days_text(rules.days)} d)"
    )
    head = f"{hours_text(billable)} billable h in {days_text(rules.days)} d"
    where = f"the {hours_text(threshold)} h break-even for {compute}{scaled}"
    above = billable > threshold  # the Cost Optimizer: AUTO_STOP switches when above, ALWAYS_ON at or below
    mode = facts.running_mode
    at_60 = facts.billable_hours_at_60
    if mode == "AUTO_STOP" and above and at_60 is not None and at_60 <= threshold:
        # wsctl's rule (no source): switching would be judged again at +1 h a session, fall below
        # the break-even and be switched back; the long timeout, not the mode, is what costs.
        return Advice(
            KEEP,
            f"{head} with its {facts.auto_stop_timeout}-minute auto-stop timeout, above {where}, but "
            f"{hours_text(at_60)} h with a 60-minute one: lower the timeout (set-mode --running-mode AUTO_STOP "
            "--auto-stop-timeout 60) rather than switch to ALWAYS_ON",
            0.0,
        )
    if mode == "AUTO_STOP" and above:
        return _switch(ALWAYS_ON, f"{head}, above {where}", billable - threshold, rules)
    if mode == "ALWAYS_ON" and not above:
        advice = _switch(AUTO_STOP, f"{head}, at or below {where}", threshold - billable, rules)
        if advice.recommendation == AUTO_STOP and rules.month_end_only and not rules.month_end:
            return Advice(KEEP, f"{advice.reason}; --month-end-only: switched only on a month's last day", 0.0)
        return advice
    if mode == "AUTO_STOP":
        return Advice(KEEP, f"{head}, at or below {where}: AUTO_STOP is the cheaper mode", 0.0)
    if mode == "ALWAYS_ON":
        return Advice(KEEP, f"{head}, above {where}: ALWAYS_ON is the cheaper mode", 0.0)
    return Advice(KEEP, f"running mode {mode or 'unknown'}: no recommendation", 0.0)


def _switch(target: str, words: str, saving: float, rules: Rules) -> Advice:
    if saving < rules.min_saving:
        return Advice(
            KEEP,
            f"{words}: {target} would save ~{hours_text(saving)} h, under --min-saving {hours_text(rules.min_saving)}",
            0.0,
        )
    return Advice(target, f"{words}: {target} saves ~{hours_text(saving)} h", saving)


def has_skip_tag(tags: Iterable[Mapping[str, object]]) -> bool:
    return any(str(t.get("Key", "")).lower() == SKIP_TAG for t in tags)


def is_month_end(now: dt.datetime) -> bool:
    return (now + dt.timedelta(days=1)).month != now.month
