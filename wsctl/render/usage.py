"""Output of `wsctl usage`: the table sorted by saving, JSON/YAML, IDs, and `--explain`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text

from wsctl.render.outcome import Outcome
from wsctl.render.tables import Column, fit_table, new_table, running_mode_text
from wsctl.spec import usage as u
from wsctl.spec.usage_report import UsageReport, UsageRow, recommended_ids
from wsctl.text import count

_STYLE = {u.ALWAYS_ON: "bold cyan", u.AUTO_STOP: "bold green", u.UNUSED: "bold yellow", u.KEEP: ""}


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") if value else "-"


def usage_outcome(report: UsageReport, *, sandbox: bool) -> Outcome:
    rows = report.shown
    s = report.settings
    notes = [
        f"Period: {_when(s.start)} to {_when(s.end)} UTC ({u.days_text(s.days)} d), {report.resolution_note}.",
    ]
    if report.scaling_note:
        notes.append(f"Note: {report.scaling_note}.")
    counts: dict[str, int] = {}
    for row in report.rows:
        counts[row.advice.recommendation] = counts.get(row.advice.recommendation, 0) + 1
    notes.append(
        f"{count(len(report.rows), 'WorkSpace')}: "
        + ", ".join(f"{counts.get(r, 0)} {r}" for r in (u.ALWAYS_ON, u.AUTO_STOP, u.UNUSED, u.KEEP))
        + f"; calls: {', '.join(f'{n} {op}' for op, n in sorted(report.calls.items())) or 'none'}."
    )
    notes += [f"warning: {p}" for p in report.problems[:10]]

    def table() -> Any:
        # On a narrow terminal the reason wraps and the least needed numbers go first, the reason
        # last; the ID, user and recommendation stay whole (-o wide and pipes show every column).
        columns = (
            Column("WorkspaceId", whole=True),
            Column("UserName", whole=True),
            Column("RunningMode", whole=True, drop=3),
            Column("Compute", whole=True, drop=4),
            Column("Connected h", justify="right", drop=5),
            Column("Billable h", justify="right"),
            Column("Sessions", justify="right", drop=7),
            Column("Last connection", drop=6),
            Column("Recommendation", whole=True),
            Column("Saving h", justify="right", drop=2),
            Column("Reason", wrap=True, drop=1),
        )
        return fit_table("Usage", columns, [_cells(r) for r in rows], sandbox=sandbox)

    tables: list[Any] = [table] if rows else []
    explained = next((r for r in report.rows if r.workspace_id == s.explain), None) if s.explain else None
    if explained is not None:
        tables.append(lambda: explain_table(explained, sandbox=sandbox))
    return Outcome(
        data=report.data(),
        ids=recommended_ids(report),
        tables=tables,
        table_notes=notes,
        empty_note="No WorkSpaces to report." if not report.rows else "No WorkSpace has that recommendation.",
    )


def _cells(r: UsageRow) -> list[Any]:
    usage = r.usage
    rec = r.advice.recommendation
    return [
        r.workspace_id,
        str(r.workspace.get("UserName", "")),
        running_mode_text(r.props),
        str(r.props.get("ComputeTypeName") or "-"),
        u.hours_text(usage.connected_hours),
        u.hours_text(usage.billable_hours),
        str(len(usage.sessions)),
        _when(r.last_known),
        Text(rec, style=_STYLE[rec]),
        u.hours_text(r.advice.saving) if r.advice.saving else "-",
        r.advice.reason,
    ]


def explain_table(row: UsageRow, *, sandbox: bool) -> Any:
    """The sessions found for one WorkSpace, their lengths and billed hours, and the sum (--explain)."""
    usage = row.usage
    idle = u.hours_text(usage.idle_hours)
    minutes = usage.interval_seconds // 60
    caption = (
        f"{count(len(usage.sessions), 'session')} from {usage.points} {minutes}-minute points "
        f"({usage.connected_intervals} with a user connected). Each session is billed as its length rounded up "
        f"to whole hours plus {idle} h of auto-stop time after it: "
        + (" + ".join(f"({s.billed_hours}+{idle})" for s in usage.sessions) or "0")
        + f" = {u.hours_text(usage.billable_hours)} billable h. {row.advice.reason}."
    )
    table = new_table(f"Sessions of {row.workspace_id}", sandbox=sandbox, caption=caption)
    table.caption_justify = "left"
    table.add_column("#", justify="right")
    table.add_column("Start (UTC)", no_wrap=True)
    table.add_column("End (UTC)", no_wrap=True)
    table.add_column("Length h", justify="right")
    table.add_column("Connected h", justify="right")
    table.add_column("Billed h", justify="right")
    for index, s in enumerate(usage.sessions, 1):
        table.add_row(
            str(index),
            _when(s.start),
            _when(s.end),
            f"{s.hours:.2f}",
            f"{s.connected * s.interval_seconds / 3600:.2f}",
            f"{s.billed_hours} + {idle}",
        )
    return table


def plan_reasons(report: UsageReport) -> list[str]:
    """One line per change `set-mode --by-usage` plans, with its reason (stderr, before the plan)."""
    lines = []
    for r in report.shown:
        rec = r.advice.recommendation
        if rec in (u.ALWAYS_ON, u.AUTO_STOP):
            user = r.workspace.get("UserName", "")
            lines.append(f"{r.workspace_id} ({user}): {running_mode_text(r.props)} -> {rec}: {r.advice.reason}")
    s = report.settings
    lines.append(
        f"Usage from {_when(s.start)} to {_when(s.end)} UTC ({u.days_text(s.days)} d), {report.resolution_note}."
    )
    if report.scaling_note:
        lines.append(f"Note: {report.scaling_note}.")
    return lines
