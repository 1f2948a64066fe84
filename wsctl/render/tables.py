"""Rich tables for WorkSpaces and images, with the sandbox banner and state colours."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from wsctl.spec.states import STATE_STYLE, state_kind
from wsctl.spec.waits import Status

SANDBOX_BANNER = "SANDBOX - simulated WorkSpaces, not AWS"
# How a --wait result looks: done, failed, still waiting.
STATUS_STYLE = {Status.SUCCEEDED: "green", Status.FAILED: "bold red", Status.PENDING: "yellow"}


def new_table(title: str | None = None, *, sandbox: bool = False, caption: str | None = None) -> Table:
    if sandbox:
        title = f"[reverse magenta] {SANDBOX_BANNER} [/]" + (f"  {title}" if title else "")
    # A terminal that says TERM=dumb may not draw box characters: plain ASCII borders there.
    borders = box.ASCII if os.environ.get("TERM") == "dumb" else box.HEAVY_HEAD
    return Table(title=title, caption=caption, title_justify="left", header_style="bold", show_lines=False, box=borders)


def id_column(table: Table, header: str, values: Iterable[str | None]) -> None:
    """A column that never cuts or wraps an ID."""
    width = max([len(header), *(len(v) for v in values if v)])
    table.add_column(header, no_wrap=True, min_width=width, overflow="ignore")


def state_text(state: str | None) -> Text:
    if not state:
        return Text("-")
    return Text(state, style=STATE_STYLE[state_kind(state)])


def running_mode_text(props: dict[str, Any]) -> str:
    mode = props.get("RunningMode") or "-"
    minutes = props.get("RunningModeAutoStopTimeoutInMinutes")
    if mode == "AUTO_STOP" and minutes:
        return f"{mode} ({minutes}m)"
    return str(mode)


def volumes_text(props: dict[str, Any]) -> str:
    root, user = props.get("RootVolumeSizeGib"), props.get("UserVolumeSizeGib")
    if root is None and user is None:
        return "-"
    return f"{root if root is not None else '?'}/{user if user is not None else '?'}"


def modifications_text(ws: dict[str, Any]) -> str:
    mods = ws.get("ModificationStates") or []
    return ", ".join(f"{m.get('Resource')}:{m.get('State')}" for m in mods) or ""


# Every WorkSpace column a table can show: header -> (cell, how the column behaves). An ID
# column is sized to its longest value and never cut (id_column).
_ID_COLUMNS = {"WorkspaceId", "DirectoryId", "BundleId"}
_CELLS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "WorkspaceId": lambda ws: ws.get("WorkspaceId", ""),
    "UserName": lambda ws: ws.get("UserName", ""),
    "State": lambda ws: state_text(ws.get("State")),
    "RunningMode": lambda ws: running_mode_text(ws.get("WorkspaceProperties") or {}),
    "Compute": lambda ws: (ws.get("WorkspaceProperties") or {}).get("ComputeTypeName") or "-",
    "Root/User GiB": lambda ws: volumes_text(ws.get("WorkspaceProperties") or {}),
    "DirectoryId": lambda ws: ws.get("DirectoryId", ""),
    "BundleId": lambda ws: ws.get("BundleId", ""),
    "IP": lambda ws: ws.get("IpAddress") or "-",
    "Modifications": modifications_text,
}
_COLUMN_STYLE: dict[str, dict[str, Any]] = {
    "UserName": {"overflow": "fold"},
    "Root/User GiB": {"no_wrap": True, "justify": "right"},
    "Modifications": {"overflow": "fold"},
}
DESCRIBE_COLUMNS = tuple(_CELLS)


# Dropped first when a terminal is too narrow for every column; IDs, UserName and State never are.
_DROPPED_FIRST = ("Modifications", "IP", "DirectoryId", "BundleId", "Root/User GiB", "Compute", "RunningMode")
# Width the table must fit in, set by the renderer while it draws for a terminal (None: any width).
FIT_WIDTH: ContextVar[int | None] = ContextVar("FIT_WIDTH", default=None)


def _fitting(workspaces: Sequence[dict[str, Any]], columns: Sequence[str], width: int | None) -> list[str]:
    """The columns that fit in `width`: a cell needs its text, one space each side and a border."""
    if width is None:
        return list(columns)

    def needed(header: str) -> int:
        cells = (_CELLS[header](ws) for ws in workspaces)
        return max([len(header), *(len(c.plain if isinstance(c, Text) else str(c)) for c in cells)]) + 3

    shown = list(columns)
    sizes = {header: needed(header) for header in shown}
    for header in _DROPPED_FIRST:
        if sum(sizes[h] for h in shown) + 1 <= width:
            break
        if header in shown:
            shown.remove(header)
    return shown


def workspaces_table(
    workspaces: Sequence[dict[str, Any]],
    *,
    title: str | None = None,
    sandbox: bool = False,
    columns: Sequence[str] = DESCRIBE_COLUMNS,
) -> Table:
    shown = _fitting(workspaces, columns, FIT_WIDTH.get())
    left_out = [h for h in columns if h not in shown]
    caption = (
        f"Not shown, to fit the terminal: {', '.join(left_out)} (-o wide shows every column)" if left_out else None
    )
    table = new_table(title, sandbox=sandbox, caption=caption)
    for header in shown:
        if header in _ID_COLUMNS:
            id_column(table, header, (ws.get(header) for ws in workspaces))
        else:
            table.add_column(header, **_COLUMN_STYLE.get(header, {"no_wrap": True}))
    for ws in workspaces:
        table.add_row(*(_CELLS[header](ws) for header in shown))
    return table
