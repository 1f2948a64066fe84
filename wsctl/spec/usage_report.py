"""What `wsctl usage` reports: its settings, one row per WorkSpace, the report (pure data, no I/O).

Below `render` so the renderer can read it; `wsctl.ops.usage` fills it in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from wsctl.spec import usage as u


@dataclass(frozen=True)
class UsageSettings:
    start: dt.datetime
    end: dt.datetime
    thresholds: dict[str, float]
    unused_days: float
    min_saving: float = u.DEFAULT_MIN_SAVING
    month_end_only: bool = False
    recommendations: tuple[str, ...] = ()
    explain: str | None = None
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    @property
    def interval(self) -> int:
        """5-minute data when the period is within CloudWatch's 63-day retention of it, hourly beyond.

        Decided by the period alone: a longer --unused-days window must not turn the billable
        hours into whole-hour ones.
        """
        return u.FIVE_MINUTES if self.start >= self._oldest_five_minute else u.ONE_HOUR

    @property
    def _oldest_five_minute(self) -> dt.datetime:
        return self.now - dt.timedelta(days=u.FIVE_MINUTE_RETENTION_DAYS)

    @property
    def fetch_start(self) -> dt.datetime:
        """The metrics start: the period, or the longer --unused-days window as far as the data goes.

        At 5-minute resolution the window stops at the retention; before it, whether a user
        connected is told by LastKnownUserConnectionTimestamp (the latest connection ever).
        """
        wanted = min(self.start, self.end - dt.timedelta(days=self.unused_days))
        if self.interval == u.FIVE_MINUTES:
            return max(wanted, min(self.start, self._oldest_five_minute))
        return wanted

    def rules(self) -> u.Rules:
        return u.Rules(
            days=self.days,
            thresholds=self.thresholds,
            unused_days=self.unused_days,
            min_saving=self.min_saving,
            month_end_only=self.month_end_only,
            month_end=u.is_month_end(self.now),
        )


@dataclass
class UsageRow:
    workspace: dict[str, Any]
    usage: u.Usage
    last_known: dt.datetime | None
    advice: u.Advice

    @property
    def workspace_id(self) -> str:
        return str(self.workspace["WorkspaceId"])

    @property
    def props(self) -> dict[str, Any]:
        return self.workspace.get("WorkspaceProperties") or {}

    def data(self) -> dict[str, Any]:
        props = self.props
        entry: dict[str, Any] = {
            "WorkspaceId": self.workspace_id,
            "UserName": self.workspace.get("UserName", ""),
            "RunningMode": props.get("RunningMode"),
        }
        if props.get("RunningModeAutoStopTimeoutInMinutes") is not None:
            entry["RunningModeAutoStopTimeoutInMinutes"] = props["RunningModeAutoStopTimeoutInMinutes"]
        entry.update(
            {
                "ComputeTypeName": props.get("ComputeTypeName"),
                "ConnectedHours": _number(round(self.usage.connected_hours, 2)),
                "BillableHours": _number(round(self.usage.billable_hours, 2)),
                "Sessions": len(self.usage.sessions),
                "LastKnownUserConnectionTimestamp": self.last_known,
                "Recommendation": self.advice.recommendation,
                "Reason": self.advice.reason,
            }
        )
        return entry


@dataclass
class UsageReport:
    settings: UsageSettings
    rows: list[UsageRow]
    interval: int
    calls: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def shown(self) -> list[UsageRow]:
        """Sorted by saving (largest first), then recommendation and ID; filtered by --recommendation."""
        wanted = self.settings.recommendations
        rows = [r for r in self.rows if not wanted or r.advice.recommendation in wanted]
        order = {r: i for i, r in enumerate((u.ALWAYS_ON, u.AUTO_STOP, u.UNUSED, u.KEEP))}
        return sorted(rows, key=lambda r: (-r.advice.saving, order[r.advice.recommendation], r.workspace_id))

    @property
    def resolution_note(self) -> str:
        if self.interval == u.FIVE_MINUTES:
            return "5-minute UserConnected data (within CloudWatch's 63-day retention of it)"
        return (
            "hourly UserConnected data: the period starts more than 63 days ago, beyond CloudWatch's retention of "
            "5-minute data, so sessions are measured in whole hours"
        )

    @property
    def scaling_note(self) -> str | None:
        days = self.settings.days
        if abs(days - u.MONTH_DAYS) < 1e-9:
            return None
        return (
            f"the period is {u.days_text(days)} days: break-even hours (given a month, {u.MONTH_DAYS} days) "
            f"are scaled linearly by {u.days_text(days)}/{u.MONTH_DAYS}"
        )

    def data(self) -> dict[str, Any]:
        s = self.settings
        out: dict[str, Any] = {
            "Usage": [r.data() for r in self.shown],
            "Period": {"Start": s.start, "End": s.end, "Days": round(s.days, 3)},
            "Thresholds": {k: _number(v) for k, v in s.thresholds.items()},
        }
        if s.explain:
            row = next((r for r in self.rows if r.workspace_id == s.explain), None)
            if row is not None:
                out["Explain"] = explain_data(row)
        return out


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def explain_data(row: UsageRow) -> dict[str, Any]:
    usage = row.usage
    return {
        "WorkspaceId": row.workspace_id,
        "IntervalSeconds": usage.interval_seconds,
        "IdleHoursPerSession": usage.idle_hours,
        "Sessions": [
            {
                "Start": s.start,
                "End": s.end,
                "Hours": round(s.hours, 3),
                "ConnectedHours": round(s.connected * s.interval_seconds / 3600, 3),
                "BilledHours": s.billed_hours + usage.idle_hours,
            }
            for s in usage.sessions
        ],
        "BillableHours": usage.billable_hours,
    }


def recommended_ids(report: UsageReport) -> list[str]:
    """-o ids: the IDs whose recommendation is not keep; with --recommendation, exactly those asked for."""
    if report.settings.recommendations:
        return [r.workspace_id for r in report.shown]
    return [r.workspace_id for r in report.shown if r.advice.recommendation != u.KEEP]
