"""Seeded, repeatable usage: who is connected when, computed from a profile, never stored.

Each seeded user has a usage profile, dealt in a cycle by the number in the user's name
(user0001, branch07): heavy, part-time, light, never, heavy, ... so any four (and so any
ten) consecutive users hold one of each. A profile is a repeating pattern of 5-minute
slots aligned to the Unix epoch (UTC), and its period divides 30 days, so every 30-day
window holds exactly `ConnectedHoursPerMonth` connected hours ("a month" is 30 days here,
as in `sandbox info`). Users without a number (the fault users) follow the light profile.

A WorkSpace's history (what CloudWatch reports for it) runs from `--usage-days` days
before the reset to now, whatever its creation time in the sandbox: a WorkSpace created
after the reset is treated as having existed, AVAILABLE or STOPPED, all along, so that a
fleet created by a test has 90 days of history at once. The minutes a new WorkSpace spends
PENDING in the sandbox are not cut out of it, which keeps the 30-day totals exact. A
WorkSpace whose creation failed (ERROR) reports nothing; one being terminated reports
nothing from its TerminateWorkspaces on (AWS documents metrics for AVAILABLE and STOPPED
WorkSpaces; the sandbox keeps no history of the brief transient states, such as
REBOOTING, and counts them like the state around them: unsourced simplification).
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from wsctl.sandbox import lifecycle

# WorkSpaces metrics as 5-minute points (UNVERIFIED: it is the period the Cost Optimizer reads).
SLOT = 300
DAY_SLOTS = 86400 // SLOT
MONTH_DAYS = 30  # "a month", for ConnectedHoursPerMonth
DEFAULT_USAGE_DAYS = 90
MAX_USAGE_DAYS = 455  # CloudWatch keeps 1-hour data 455 days
DEFAULT_AUTO_STOP_MINUTES = 60


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    period_days: int  # divides MONTH_DAYS
    # Connected (start, end) slot ranges within one period.
    sessions: tuple[tuple[int, int], ...]

    @property
    def period(self) -> int:
        return self.period_days * DAY_SLOTS

    @property
    def sessions_per_month(self) -> int:
        """Sessions in 30 days from midnight UTC (a window cut mid-session splits one in two)."""
        return len(self.sessions) * (MONTH_DAYS // self.period_days)

    @property
    def connected_hours_per_month(self) -> float:
        per_period = sum(end - start for start, end in self.sessions)
        return per_period * (MONTH_DAYS // self.period_days) * SLOT / 3600


def _hours(start: float, end: float, day: int = 0) -> tuple[int, int]:
    return (day * DAY_SLOTS + int(start * 12), day * DAY_SLOTS + int(end * 12))


HEAVY = Profile("heavy", "12 hours every day, 07:00-19:00 UTC", 1, (_hours(7, 19),))
PART_TIME = Profile("part-time", "5 hours every day, 09:00-14:00 UTC", 1, (_hours(9, 14),))
LIGHT = Profile("light", "1 hour every other day, 10:00-11:00 UTC", 2, (_hours(10, 11),))
NEVER = Profile("never", "never connects", 1, ())
PROFILES = (HEAVY, PART_TIME, LIGHT, NEVER)  # the cycle, by user number: user0001 heavy, user0002 part-time, ...
UNNUMBERED = LIGHT

_NUMBER = re.compile(r"([0-9]+)$")


def profile_for(user_name: str) -> Profile:
    match = _NUMBER.search(user_name)
    if match is None:
        return UNNUMBERED
    return PROFILES[(int(match[1]) - 1) % len(PROFILES)]


# --- series: a 0/1 value per slot, periodic ------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """A 0/1 value for every slot (slot n = the 5 minutes from n * SLOT), repeating every `period` slots."""

    period: int
    values: bytes
    prefix: tuple[int, ...]  # prefix[i] = ones among values[:i]

    def value(self, slot: int) -> int:
        return self.values[slot % self.period]

    def ones(self, start: int, end: int) -> int:
        """Ones among slots [start, end)."""
        return self._upto(end) - self._upto(start)

    def _upto(self, slot: int) -> int:
        cycles, rest = divmod(slot, self.period)
        return cycles * self.prefix[-1] + self.prefix[rest]

    def last_one_before(self, slot: int, floor: int) -> int | None:
        """The last slot < `slot` and >= `floor` whose value is 1, or None."""
        if self.prefix[-1] == 0 or slot <= floor:
            return None
        s = slot - 1
        # Within one period there is a one, so this loop runs at most one period.
        while s >= floor:
            if self.values[s % self.period]:
                return s
            s -= 1
        return None


@dataclass(frozen=True)
class Held:
    """A series held at a constant value from slot `since` on (a WorkSpace stopped by StopWorkspaces)."""

    base: Series
    since: int
    held: int

    def value(self, slot: int) -> int:
        return self.held if slot >= self.since else self.base.value(slot)

    def ones(self, start: int, end: int) -> int:
        cut = min(max(start, self.since), end)
        return self.base.ones(start, cut) + self.held * (end - cut)

    def last_one_before(self, slot: int, floor: int) -> int | None:
        if self.held and slot > max(self.since, floor):
            return slot - 1
        return self.base.last_one_before(min(slot, self.since), floor)


SeriesLike = Series | Held


def _series(values: bytes) -> Series:
    prefix = [0]
    for v in values:
        prefix.append(prefix[-1] + v)
    return Series(len(values), values, tuple(prefix))


@functools.lru_cache(maxsize=64)
def connected_series(profile: Profile) -> Series:
    values = bytearray(profile.period)
    for start, end in profile.sessions:
        values[start:end] = b"\x01" * (end - start)
    return _series(bytes(values))


@functools.lru_cache(maxsize=256)
def available_series(profile: Profile, running_mode: str, auto_stop_minutes: int) -> Series:
    """1 while the WorkSpace runs: always for ALWAYS_ON; for AUTO_STOP (and MANUAL, unsourced: as if
    stopped the same way) while the user is connected and for the auto-stop timeout after."""
    if running_mode == "ALWAYS_ON":
        return _series(b"\x01")
    connected = connected_series(profile).values
    period = len(connected)
    linger = max(1, -(-auto_stop_minutes * 60 // SLOT))
    values = bytearray(period)
    if any(connected):
        for s in range(period):
            values[s] = 1 if any(connected[(s - k) % period] for k in range(linger + 1)) else 0
    return _series(bytes(values))


@functools.lru_cache(maxsize=256)
def stopped_series(profile: Profile, running_mode: str, auto_stop_minutes: int) -> Series:
    available = available_series(profile, running_mode, auto_stop_minutes)
    return _series(bytes(1 - v for v in available.values))


# --- a WorkSpace's history -----------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    """Where a WorkSpace's metrics exist: slots [first, end), and how it runs."""

    workspace_id: str
    profile: Profile
    first: int
    end: int  # exclusive; slots that start before the WorkSpace stopped reporting and have ended by now
    running_mode: str
    auto_stop_minutes: int
    stopped_since: int | None = None  # the first slot after a StopWorkspaces that still holds

    def series(self, metric: str) -> SeriesLike | None:
        if metric == "UserConnected":
            found: Series = connected_series(self.profile)
        elif metric == "Available":
            found = available_series(self.profile, self.running_mode, self.auto_stop_minutes)
        elif metric == "Stopped":
            found = stopped_series(self.profile, self.running_mode, self.auto_stop_minutes)
        else:
            return None
        if self.stopped_since is None:
            return found
        # Stopped: nobody connected, not available, stopped, whatever the profile says.
        return Held(found, self.stopped_since, 1 if metric == "Stopped" else 0)


def history_start(seeded_at: float, usage_days: int) -> int:
    """The first slot of every WorkSpace's history."""
    return int((seeded_at - usage_days * 86400) // SLOT)


def history(row: lifecycle.Row, now: float, start_slot: int, time_scale: float) -> History | None:
    """The history of a workspaces row at `now`, or None if it never reports metrics."""
    if row["outcome"] == "ERROR":
        return None
    stops = now
    if row["terminating_until"] is not None:
        stops = min(stops, row["terminating_until"] - lifecycle.TERMINATING_FOR * time_scale)
    if row["gone_at"] is not None:
        stops = min(stops, row["gone_at"])
    # A slot counts once it has ended (and it started before the WorkSpace stopped reporting).
    end = min(int(now // SLOT), int(-(-stops // SLOT)))
    props = _properties(row, now)
    return History(
        workspace_id=row["workspace_id"],
        profile=profile_for(row["user_name"]),
        first=start_slot,
        end=max(start_slot, end),
        running_mode=str(props.get("RunningMode") or "ALWAYS_ON"),
        auto_stop_minutes=int(props.get("RunningModeAutoStopTimeoutInMinutes") or DEFAULT_AUTO_STOP_MINUTES),
        stopped_since=_stopped_since(row, time_scale),
    )


def _stopped_since(row: lifecycle.Row, time_scale: float) -> int | None:
    """The first whole slot after the StopWorkspaces the WorkSpace is still stopped by, if any.

    The sandbox keeps only the latest power change, so an earlier stop that a start has
    undone leaves no trace in the history (a simplification).
    """
    change = lifecycle.loads(row["power"], None)
    if change is None or change.get("to") != "STOPPED" or row["terminating_until"] is not None:
        return None
    began = change["until"] - lifecycle.STOPPING_FOR * time_scale
    return int(-(-began // SLOT))


def _properties(row: lifecycle.Row, now: float) -> dict[str, Any]:
    data = json.loads(row["data"])
    props, _, _ = lifecycle.settle_modification(
        data.get("WorkspaceProperties", {}),
        lifecycle.loads(row["modification"], None),
        lifecycle.loads(row["failed_resources"], []),
        now,
    )
    return dict(props)


def history_settings(conn: sqlite3.Connection) -> tuple[int, float]:
    """(first slot of history, time scale) for this sandbox."""
    from wsctl.sandbox.settings import Settings

    rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('settings', 'seeded_at')").fetchall())
    settings = Settings.from_json(rows["settings"]) if "settings" in rows else Settings()
    seeded_at = float(rows.get("seeded_at", "0"))
    return history_start(seeded_at, settings.usage_days), settings.time_scale


def profiles_info(user_names: list[str]) -> dict[str, dict[str, Any]]:
    """`UsageProfiles` of `sandbox info -o json`."""
    out: dict[str, dict[str, Any]] = {}
    for name in user_names:
        profile = profile_for(name)
        out[name] = {
            "Profile": profile.name,
            "ConnectedHoursPerMonth": profile.connected_hours_per_month,
            "SessionsPerMonth": profile.sessions_per_month,
        }
    return out


def cycle_info() -> list[dict[str, Any]]:
    return [
        {
            "Profile": p.name,
            "Description": p.description,
            "ConnectedHoursPerMonth": p.connected_hours_per_month,
            "SessionsPerMonth": p.sessions_per_month,
        }
        for p in PROFILES
    ]


def session_start(series: SeriesLike, before: int, first: int) -> int | None:
    """The first slot of the latest session that began before slot `before` (and at or after `first`)."""
    last = series.last_one_before(before, first)
    if last is None:
        return None
    while last > first and series.value(last - 1):
        last -= 1
    return last
