"""Rich tables for WorkSpaces and images, with the sandbox banner and state colours."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from wsctl.spec.states import STATE_STYLE, state_kind

SANDBOX_BANNER = "SANDBOX - simulated WorkSpaces, not AWS"


def new_table(title: str | None = None, *, sandbox: bool = False, caption: str | None = None) -> Table:
    if sandbox:
        title = f"[reverse magenta] {SANDBOX_BANNER} [/]" + (f"  {title}" if title else "")
    return Table(title=title, caption=caption, title_justify="left", header_style="bold", show_lines=False)


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


def workspaces_table(workspaces: Sequence[dict[str, Any]], *, title: str | None = None, sandbox: bool = False) -> Table:
    table = new_table(title, sandbox=sandbox)
    id_column(table, "WorkspaceId", (w.get("WorkspaceId") for w in workspaces))
    table.add_column("UserName", overflow="fold")
    table.add_column("State", no_wrap=True)
    table.add_column("RunningMode", no_wrap=True)
    table.add_column("Compute", no_wrap=True)
    table.add_column("Root/User GiB", no_wrap=True, justify="right")
    id_column(table, "DirectoryId", (w.get("DirectoryId") for w in workspaces))
    id_column(table, "BundleId", (w.get("BundleId") for w in workspaces))
    table.add_column("IP", no_wrap=True)
    table.add_column("Modifications", overflow="fold")
    for ws in workspaces:
        props = ws.get("WorkspaceProperties") or {}
        table.add_row(
            ws.get("WorkspaceId", ""),
            ws.get("UserName", ""),
            state_text(ws.get("State")),
            running_mode_text(props),
            props.get("ComputeTypeName") or "-",
            volumes_text(props),
            ws.get("DirectoryId", ""),
            ws.get("BundleId", ""),
            ws.get("IpAddress") or "-",
            modifications_text(ws),
        )
    return table
