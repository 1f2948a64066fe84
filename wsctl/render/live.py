"""How a wait is shown on stderr: a live view on a terminal, timestamped lines otherwise.

Polling (wsctl.spec.waits) is separate from display; the display is chosen by whether
stderr is a terminal, and stdout is never touched, so `--wait -o json | jq` works.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from types import TracebackType
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from wsctl.render.tables import SANDBOX_BANNER, STATUS_STYLE, state_text
from wsctl.spec.waits import Change, Status, WaitResult

RECENT_CHANGES = 8


def _state(value: str | None) -> str:
    return value or "(not visible yet)"


class LineDisplay:
    """One plain line per state change, for logs and CI."""

    def __init__(self, console: Console, what: str) -> None:
        self.console = console
        self.console.print(f"{_stamp()} waiting for {what}", highlight=False, markup=False)

    def __enter__(self) -> LineDisplay:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def on_change(self, change: Change) -> None:
        item = change.item
        tail = f" {item.status.value}" if item.status is not Status.PENDING else ""
        if change.old_state == change.new_state and not tail:
            return
        reason = f": {item.reason}" if item.reason else ""
        label = f" {item.label}" if item.label else ""
        moved = _state(change.new_state)
        if change.old_state != change.new_state:
            moved = f"{_state(change.old_state)} -> {moved}"
        self.console.print(
            f"{_stamp()} {item.id}{label} {moved}{tail}{reason}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )

    def on_round(self, result: WaitResult) -> None:
        return None


class LiveDisplay:
    """Progress bar, counts per state, elapsed time and the latest changes, redrawn in place."""

    def __init__(self, console: Console, what: str, total: int, *, sandbox: bool = False) -> None:
        self.console = console
        self.what = what
        self.total = total
        self.sandbox = sandbox
        self.recent: deque[Change] = deque(maxlen=RECENT_CHANGES)
        self.result: WaitResult | None = None
        self.started = time.monotonic()
        # Live calls _render on every refresh, so the elapsed time moves between polls too.
        self.live = Live(console=console, refresh_per_second=4, transient=True, get_renderable=self._render)

    def __enter__(self) -> LiveDisplay:
        self.live.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.live.__exit__(exc_type, exc, tb)

    def on_change(self, change: Change) -> None:
        self.recent.append(change)

    def on_round(self, result: WaitResult) -> None:
        self.result = result

    def _render(self) -> Any:
        result = self.result
        total = self.total
        done = 0 if result is None else total - len(result.pending)
        elapsed = time.monotonic() - self.started
        header = Text(f"Waiting for {self.what}", style="bold")
        if self.sandbox:
            header = Text.assemble((f" {SANDBOX_BANNER} ", "reverse magenta"), " ", header)
        bar = ProgressBar(total=max(total, 1), completed=done, width=40)
        counts = Text(f"{done}/{total} settled · {elapsed:.0f} s · " + _counts(result))
        changes = Table.grid(padding=(0, 1))
        for change in self.recent:
            item = change.item
            changes.add_row(
                item.id, item.label, _state(change.old_state), "->", state_text(change.new_state), item.reason
            )
        return Group(header, bar, counts, changes)


def _counts(result: WaitResult | None) -> str:
    if result is None:
        return "starting"
    by_state: dict[str, int] = {}
    for item in result.items:
        key = item.state or "not visible"
        by_state[key] = by_state.get(key, 0) + 1
    return ", ".join(f"{n} {s}" for s, n in sorted(by_state.items()))


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_display(console: Console, what: str, total: int, *, sandbox: bool) -> LineDisplay | LiveDisplay:
    # TERM=dumb cannot redraw a live view in place: it gets the timestamped lines a pipe gets.
    if console.is_terminal and not console.is_dumb_terminal:
        return LiveDisplay(console, what, total, sandbox=sandbox)
    return LineDisplay(console, what)


def final_table(
    result: WaitResult, *, title: str, sandbox: bool, id_header: str = "WorkspaceId", label_header: str = "UserName"
) -> Table:
    from wsctl.render.tables import id_column, new_table

    table = new_table(title, sandbox=sandbox)
    id_column(table, id_header, (i.id for i in result.items))
    table.add_column(label_header, overflow="fold")
    table.add_column("State", no_wrap=True)
    table.add_column("Result", no_wrap=True)
    table.add_column("Detail", overflow="fold")
    for item in result.items:
        result_text = Text(
            item.status.value if item.status is not Status.PENDING else "still pending", style=STATUS_STYLE[item.status]
        )
        table.add_row(item.id, item.label, state_text(item.state), result_text, item.reason)
    return table
