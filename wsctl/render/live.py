"""How a wait is shown on stderr: a live view on a terminal, timestamped lines otherwise.

Polling (wsctl.spec.waits) is separate from display; the display is chosen by whether
stderr is a terminal, and stdout is never touched, so `--wait -o json | jq` works.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Self

from rich.console import Console, Group, NewLine
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.text import Text

from wsctl.render.tables import SANDBOX_BANNER, STATUS_STYLE, state_text
from wsctl.spec.states import FAILED
from wsctl.spec.waits import Change, Item, Status, WaitResult

RECENT_CHANGES = 8
# Lines the live view needs besides the recent changes: header, bar, progress, counts, and
# one to spare, so the whole view fits a 24-line terminal with room for what is above it.
FIXED_LINES = 6
# Below this many columns the sandbox banner is one word, so the header stays on one line.
WIDE = 90


def _state(value: str | None) -> str:
    return value or "(not visible yet)"


def duration(seconds: float) -> str:
    """'42 s', '3 min 20 s', '1 h 05 min'."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def eta(settled: int, total: int, elapsed: float) -> str:
    """How long the rest will take at the rate items have settled so far ('ETA --' before any did)."""
    if settled >= total:
        return "ETA 0 s"
    if settled <= 0 or elapsed <= 0:
        return "ETA --"
    return f"ETA {duration((total - settled) * elapsed / settled)}"


def counts(items: Sequence[Item], *, still: bool = True) -> str:
    """'180 AVAILABLE, 20 ERROR, 50 still PENDING': succeeded, then failed, then pending, by state.

    A failed item in a state that is not itself a failure (AVAILABLE after UPDATE_FAILED) is
    counted as `failed`, so the counts never pass a failure off as a success.
    """
    groups: list[dict[str, int]] = [{}, {}, {}]
    for item in list(items):
        state = item.state or "not visible"
        if item.status is Status.SUCCEEDED:
            group, key = groups[0], state
        elif item.status is Status.FAILED:
            group, key = groups[1], state if state in FAILED else "failed"
        else:  # a property change keeps the state (AVAILABLE): "changing" tells it from the settled ones
            what = "changing" if item.change else state
            group, key = groups[2], f"still {what}" if still else what
        group[key] = group.get(key, 0) + 1
    parts = [f"{n:,} {key}" for group in groups for key, n in sorted(group.items(), key=lambda kv: -kv[1])]
    return ", ".join(parts) or "nothing to wait for"


def summary_line(result: WaitResult, status: str, *, total: float | None = None) -> str:
    """The last line of a wait: how it ended, how long it took, the counts.

    'Done in 32 s: 20 AVAILABLE.', 'Stopped after 4 s: 180 AVAILABLE, 20 ERROR, 50 still PENDING.'
    `total` is the whole run's time when the caller knows when the run began; else the wait's.
    """
    took = duration(total if total is not None else result.elapsed)
    if status == "interrupted":
        head = f"Stopped after {took}"
    elif status == "timeout":
        head = f"Timed out after {duration(result.elapsed)} of waiting"
    else:
        head = f"Done in {took}"
    return f"{head}: {counts(result.items)}."


def change_words(change: Change) -> tuple[str, str]:
    """(what moved, how it ended) of one change: 'user volume 50 -> 100 GiB', 'applied'."""
    item = change.item
    ending = item.status.value if item.status is not Status.PENDING else ""
    if item.change and ending:  # a property change ended: the state stays AVAILABLE, the property is the news
        return item.change, {"succeeded": "applied", "failed": "failed"}.get(ending, ending)
    moved = _state(change.new_state)
    if change.old_state != change.new_state:
        moved = f"{_state(change.old_state)} -> {moved}"
    return moved, ending


class _InLive:
    """A view drawn by Rich's Live (`self.live`) for as long as the `with` block lasts."""

    live: Live

    def __enter__(self) -> Self:
        self.live.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.live.__exit__(exc_type, exc, tb)


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
        if change.old_state == change.new_state and item.status is Status.PENDING:
            return
        moved, ending = change_words(change)
        reason = f": {item.reason}" if item.reason else ""
        label = f" {item.label}" if item.label else ""
        tail = f" {ending}" if ending else ""
        self.console.print(
            f"{_stamp()} {item.id}{label} {moved}{tail}{reason}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )

    def on_round(self, result: WaitResult) -> None:
        return None


class LiveDisplay(_InLive):
    """A bar, the share settled with an ETA, counts per state and the latest changes, redrawn in place.

    Every line is short or on its own, so 60 and 80 columns show all of it; the latest
    changes take one line each (long reasons are cut there: the summary prints them whole).
    """

    def __init__(
        self,
        console: Console,
        what: str,
        total: int,
        *,
        sandbox: bool = False,
        clock: Callable[[], float] = time.monotonic,
        auto_refresh: bool = True,
    ) -> None:
        self.console = console
        self.what = what
        self.total = total
        self.sandbox = sandbox
        self.clock = clock
        self.recent: deque[Change] = deque(maxlen=RECENT_CHANGES)
        self.result: WaitResult | None = None
        self.started = clock()
        # Live calls _render on every refresh, so the elapsed time moves between polls too.
        self.live = Live(
            console=console,
            refresh_per_second=4,
            transient=True,
            get_renderable=self._render,
            auto_refresh=auto_refresh,
        )

    def on_change(self, change: Change) -> None:
        self.recent.append(change)

    def on_round(self, result: WaitResult) -> None:
        self.result = result

    def _render(self) -> Any:
        items = list(self.result.items) if self.result is not None else []
        total = self.total
        done = sum(1 for i in items if i.status is not Status.PENDING)
        failed = any(i.status is Status.FAILED for i in items)
        elapsed = self.clock() - self.started
        width = self.console.width
        banner = SANDBOX_BANNER if width >= WIDE else "SANDBOX"
        header = Text(f"Waiting for {self.what}", style="bold")
        if self.sandbox:
            header = Text.assemble((f" {banner} ", "reverse magenta"), " ", header)
        # Never green while something failed: the bar is the first thing the eye reads.
        style = "yellow" if failed else "bar.complete"
        bar = ProgressBar(
            total=max(total, 1),
            completed=done,
            width=min(width, 60),
            complete_style=style,
            finished_style="red" if failed else "bar.finished",
        )
        share = 100 * done // total if total else 100
        progress = Text(f"{share}% · {done:,}/{total:,} settled · {duration(elapsed)} · {eta(done, total, elapsed)}")
        state_counts = Text(counts(items, still=False) if items else "starting")
        changes = []
        room = max(0, min(RECENT_CHANGES, self.console.height - FIXED_LINES))
        for change in list(self.recent)[-room:] if room else []:
            item = change.item
            moved, ending = change_words(change)
            what = Text(moved) if item.change and ending else _moved_text(change)
            line = Text.assemble(item.id, " ", item.label, " ", what)
            if ending:
                line.append(f" {ending}", style=STATUS_STYLE[item.status])
            if item.reason:
                line.append(f" {item.reason}", style="dim")
            line.no_wrap, line.overflow = True, "ellipsis"  # one line each: the summary prints reasons whole
            changes.append(line)
        return Group(header, bar, NewLine(), progress, state_counts, *changes)


class SendProgress(_InLive):
    """A bar of the calls answered so far while a batch of calls is sent (gone when they are)."""

    def __init__(self, console: Console, what: str, total: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.console = console
        self.what = what
        self.total = total
        self.done = 0
        self.clock = clock
        self.started = clock()
        self._lock = threading.Lock()
        self.live = Live(console=console, refresh_per_second=4, transient=True, get_renderable=self._render)

    def tick(self) -> None:
        with self._lock:  # answers arrive on the worker threads
            self.done += 1

    def _render(self) -> Any:
        done, total = self.done, self.total
        elapsed = self.clock() - self.started
        bar = ProgressBar(total=max(total, 1), completed=done, width=min(self.console.width, 60))
        line = f"{done:,}/{total:,} calls answered · {duration(elapsed)} · {eta(done, total, elapsed)}"
        return Group(Text(f"Sending {self.what}", style="bold"), bar, NewLine(), Text(line))


class NoProgress:
    """Off a terminal: nothing between the lines before and after the calls."""

    def __enter__(self) -> NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def tick(self) -> None:
        return None


def make_send_progress(console: Console, what: str, total: int) -> SendProgress | NoProgress:
    if console.is_terminal and not console.is_dumb_terminal:
        return SendProgress(console, what, total)
    return NoProgress()


def _moved_text(change: Change) -> Text:
    new = state_text(change.new_state) if change.new_state else Text(_state(None))
    if change.old_state == change.new_state:
        return new
    return Text.assemble(_state(change.old_state), " -> ", new)


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_display(console: Console, what: str, total: int, *, sandbox: bool) -> LineDisplay | LiveDisplay:
    # TERM=dumb cannot redraw a live view in place: it gets the timestamped lines a pipe gets.
    if console.is_terminal and not console.is_dumb_terminal:
        return LiveDisplay(console, what, total, sandbox=sandbox)
    return LineDisplay(console, what)
