"""Rich tables for WorkSpaces and images, with the sandbox banner and state colours."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from rich import box
from rich.table import Table
from rich.text import Text

from wsctl.render.columns import HEADERS
from wsctl.spec.states import STATE_STYLE, state_kind
from wsctl.spec.waits import Status

SANDBOX_BANNER = "SANDBOX - simulated WorkSpaces, not AWS"
# How a --wait result looks: done, failed, still waiting.
T = TypeVar("T")
STATUS_STYLE = {Status.SUCCEEDED: "green", Status.FAILED: "bold red", Status.PENDING: "yellow"}


def new_table(title: str | None = None, *, sandbox: bool = False, caption: str | None = None) -> Table:
    plain_title = title
    if sandbox:
        title = f"[reverse magenta] {SANDBOX_BANNER} [/]" + (f"  {title}" if title else "")
    # A terminal that says TERM=dumb may not draw box characters: plain ASCII borders there.
    borders = box.ASCII if os.environ.get("TERM") == "dumb" else box.HEAVY_HEAD
    table = Table(
        title=title,
        caption=caption,
        title_justify="left",
        caption_justify="left",
        header_style="bold",
        show_lines=False,
        box=borders,
    )
    if sandbox:  # a narrow table would wrap its banner and title: at least as wide as they are
        table.min_width = len(SANDBOX_BANNER) + len(plain_title or "") + 6
    return table


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


def _props(ws: dict[str, Any]) -> dict[str, Any]:
    return ws.get("WorkspaceProperties") or {}


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


# Every WorkSpace column a table can show, by the name --columns takes (wsctl.render.columns):
# name -> cell. An ID column is sized to its longest value and never cut (id_column).
_ID_COLUMNS = {"WorkspaceId", "DirectoryId", "BundleId", "SubnetId"}
_CELLS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "WorkspaceId": lambda ws: ws.get("WorkspaceId", ""),
    "UserName": lambda ws: ws.get("UserName", ""),
    "State": lambda ws: state_text(ws.get("State")),
    "RunningMode": lambda ws: running_mode_text(_props(ws)),
    "RunningModeAutoStopTimeoutInMinutes": lambda ws: _plain(_props(ws).get("RunningModeAutoStopTimeoutInMinutes")),
    "ComputeTypeName": lambda ws: _props(ws).get("ComputeTypeName") or "-",
    "Volumes": lambda ws: volumes_text(_props(ws)),
    "RootVolumeSizeGib": lambda ws: _plain(_props(ws).get("RootVolumeSizeGib")),
    "UserVolumeSizeGib": lambda ws: _plain(_props(ws).get("UserVolumeSizeGib")),
    "Protocols": lambda ws: _plain(_props(ws).get("Protocols")),
    "DirectoryId": lambda ws: ws.get("DirectoryId", ""),
    "BundleId": lambda ws: ws.get("BundleId", ""),
    "IpAddress": lambda ws: ws.get("IpAddress") or "-",
    "SubnetId": lambda ws: ws.get("SubnetId", ""),
    "ComputerName": lambda ws: _plain(ws.get("ComputerName")),
    "WorkspaceName": lambda ws: _plain(ws.get("WorkspaceName")),
    "ModificationStates": modifications_text,
    "ErrorCode": lambda ws: _plain(ws.get("ErrorCode")),
    "ErrorMessage": lambda ws: _plain(ws.get("ErrorMessage")),
}
# "Volumes" is the default table's root/user pair; --columns names the two sizes apart.
_HEADERS = {**HEADERS, "Volumes": "Root/User GiB"}
_COLUMN_STYLE: dict[str, dict[str, Any]] = {
    "Volumes": {"no_wrap": True, "justify": "right"},
    "RootVolumeSizeGib": {"no_wrap": True, "justify": "right"},
    "UserVolumeSizeGib": {"no_wrap": True, "justify": "right"},
    "ModificationStates": {"overflow": "fold"},
    "ErrorMessage": {"overflow": "fold"},
    "Protocols": {"overflow": "fold"},
}
DESCRIBE_COLUMNS = (
    "WorkspaceId",
    "UserName",
    "State",
    "RunningMode",
    "ComputeTypeName",
    "Volumes",
    "DirectoryId",
    "BundleId",
    "IpAddress",
    "ModificationStates",
)
# IDs, UserName and State are never dropped or cut (tests check every width).
NEVER_DROPPED = ("WorkspaceId", "UserName", "State")


# Dropped first when a terminal is too narrow for every column; IDs, UserName and State never are.
_DROPPED_FIRST = (
    "ModificationStates",
    "IpAddress",
    "DirectoryId",
    "BundleId",
    "Volumes",
    "ComputeTypeName",
    "RunningMode",
)
# Width the table must fit in, set by the renderer while it draws for a terminal (None: any width).
FIT_WIDTH: ContextVar[int | None] = ContextVar("FIT_WIDTH", default=None)
# Whether a result table lists every item (-o wide, --verbose), set by the renderer; see `collapse`.
ALL_ROWS: ContextVar[bool] = ContextVar("ALL_ROWS", default=True)
# A result table with more items than this lists only those that did not succeed.
LIST_ALL_UP_TO = 20


@dataclass(frozen=True)
class Column:
    """How a column of `fit_table` behaves on a narrow terminal."""

    header: str
    whole: bool = False  # never cut or wrapped, sized to its longest value: IDs, user names, states
    drop: int = 0  # 0: never dropped; the highest is dropped first when the terminal is too narrow
    wrap: bool = False  # may fold onto several lines
    justify: Any = "left"
    style: str | None = None


# Width a wrapping column keeps at least, when deciding what fits.
WRAP_MIN = 16


def _width_of(cell: Any) -> int:
    text = cell.plain if isinstance(cell, Text) else str(cell)
    return max((len(line) for line in text.splitlines()), default=0)


def fit_table(
    title: str | None,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    *,
    sandbox: bool = False,
    caption: str | None = None,
) -> Table:
    """A table that fits FIT_WIDTH by dropping columns (highest `drop` first), with a footer naming them.

    Rich alone would squeeze every column, IDs included; here what must stay whole is sized to
    its longest value and only wrapping columns give up room.
    """
    longest = [max([len(c.header), *(_width_of(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    shown = list(range(len(columns)))
    width = FIT_WIDTH.get()
    if width is not None:

        def needed(i: int) -> int:
            return (min(longest[i], WRAP_MIN) if columns[i].wrap else longest[i]) + 3

        for i in sorted((i for i, c in enumerate(columns) if c.drop), key=lambda i: -columns[i].drop):
            if sum(needed(j) for j in shown) + 1 <= width:
                break
            shown.remove(i)
    left_out = [columns[i].header for i in range(len(columns)) if i not in shown]
    notes = [caption] if caption else []
    if left_out:
        notes.append(f"Not shown, to fit the terminal: {', '.join(left_out)} (-o wide shows every column)")
    table = new_table(title, sandbox=sandbox, caption="\n".join(notes) or None)
    for i in shown:
        column = columns[i]
        options: dict[str, Any] = {"justify": column.justify, "style": column.style}
        if column.whole:
            table.add_column(column.header, no_wrap=True, min_width=longest[i], overflow="ignore", **options)
        elif column.wrap:
            table.add_column(column.header, overflow="fold", **options)
        else:
            table.add_column(column.header, no_wrap=True, **options)
    for row in rows:
        table.add_row(*(row[i] for i in shown))
    return table


def counted_line(title: str, line: str) -> Text:
    """What a result table whose every row succeeded shows when it lists none (see `collapse`)."""
    return Text(f"{title}: {line}")


def header_of(name: str) -> str:
    return _HEADERS.get(name, name)


def _fitting(workspaces: Sequence[dict[str, Any]], columns: Sequence[str], width: int | None) -> list[str]:
    """The columns that fit in `width`: a cell needs its text, one space each side and a border."""
    if width is None:
        return list(columns)

    def needed(name: str) -> int:
        cells = (_CELLS[name](ws) for ws in workspaces)
        return max([len(header_of(name)), *(len(c.plain if isinstance(c, Text) else str(c)) for c in cells)]) + 3

    shown = list(columns)
    sizes = {name: needed(name) for name in shown}
    for name in _DROPPED_FIRST:
        if sum(sizes[h] for h in shown) + 1 <= width:
            break
        if name in shown:
            shown.remove(name)
    return shown


def collapse(rows: Sequence[T], succeeded: Callable[[T], str | None]) -> tuple[list[T], str | None]:
    """The rows a result table lists, and the line that counts the others.

    `succeeded` gives a row's outcome word when it succeeded (AVAILABLE, applied, skipped:
    ...) and None when it did not. Up to LIST_ALL_UP_TO rows, or with ALL_ROWS, every row is
    listed; above, only those that did not succeed, and one line counts the rest by word.
    """
    if len(rows) <= LIST_ALL_UP_TO or ALL_ROWS.get():
        return list(rows), None
    shown = [r for r in rows if succeeded(r) is None]
    hidden = Counter(word for r in rows if (word := succeeded(r)) is not None)
    if not hidden:
        return shown, None
    words = ", ".join(f"{n:,} {word}" for word, n in hidden.most_common())
    if shown:
        return shown, f"... and {words.replace(' ', ' more ', 1)}; --verbose lists all"
    return shown, f"{words} (not listed; --verbose lists all)"


def workspaces_table(
    workspaces: Sequence[dict[str, Any]],
    *,
    title: str | None = None,
    sandbox: bool = False,
    columns: Sequence[str] = DESCRIBE_COLUMNS,
    chosen: bool = False,
    caption: str | None = None,
) -> Table:
    """A table of WorkSpaces; `chosen` columns (--columns) are never dropped to fit, only wrapped."""
    shown = list(columns) if chosen else _fitting(workspaces, columns, FIT_WIDTH.get())
    left_out = [h for h in columns if h not in shown]
    notes = [caption] if caption else []
    if left_out:
        notes.append(
            f"Not shown, to fit the terminal: {', '.join(header_of(n) for n in left_out)} (-o wide shows every column)"
        )
    table = new_table(title, sandbox=sandbox, caption="\n".join(notes) or None)
    for name in shown:
        if name in _ID_COLUMNS:
            id_column(table, header_of(name), (_CELLS[name](ws) for ws in workspaces))
        elif name in ("State", "UserName"):  # sized like an ID: never cut to an ellipsis or wrapped
            id_column(table, name, (str(ws.get(name) or "-") for ws in workspaces))
        elif chosen and name not in NEVER_DROPPED:
            table.add_column(header_of(name), overflow="fold")
        else:
            table.add_column(header_of(name), **_COLUMN_STYLE.get(name, {"no_wrap": True}))
    for ws in workspaces:
        table.add_row(*(_CELLS[name](ws) for name in shown))
    width = FIT_WIDTH.get()
    if chosen and width is not None:
        # Chosen columns are never dropped: when even wrapped they do not fit, the table takes the
        # width it needs (the terminal wraps its lines) rather than squeezing a column to nothing.
        needed = sum(_least_width(name, workspaces) for name in shown) + 1
        if needed > width:
            table.width = needed
    return table


def _least_width(name: str, workspaces: Sequence[dict[str, Any]]) -> int:
    longest = max([len(header_of(name)), *(_width_of(_CELLS[name](ws)) for ws in workspaces)])
    whole = name in _ID_COLUMNS or name in NEVER_DROPPED
    return (longest if whole else min(longest, WRAP_MIN)) + 3
