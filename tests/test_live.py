"""The live view of a wait, rendered on a recorded Rich console with a fake clock."""

from __future__ import annotations

import io
import threading
import time

import pytest
from rich.console import Console

from wsctl.aws.ratelimit import TokenBucket, WaitCancelled
from wsctl.render.live import LineDisplay, LiveDisplay, counts, duration, eta, summary_line
from wsctl.spec.waits import Change, Item, Status, WaitResult


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _items(available: int = 0, error: int = 0, pending: int = 0) -> list[Item]:
    out = [Item(f"ws-a{n:04d}", f"user{n}", "AVAILABLE", Status.SUCCEEDED) for n in range(available)]
    out += [Item(f"ws-e{n:04d}", f"bad{n}", "ERROR", Status.FAILED, "ended in ERROR") for n in range(error)]
    out += [Item(f"ws-p{n:04d}", f"new{n}", "PENDING") for n in range(pending)]
    return out


def _console(width: int, height: int = 24) -> Console:
    return Console(file=io.StringIO(), width=width, height=height, force_terminal=True, color_system="truecolor")


def _screen(display: LiveDisplay, console: Console) -> list[str]:
    with console.capture() as capture:
        console.print(display._render())
    return [line.rstrip() for line in Console(width=console.width).render_str(capture.get()).plain.splitlines()]


def _plain_lines(display: LiveDisplay, width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, height=24, record=True, color_system=None)
    console.print(display._render())
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_no_eta_before_anything_settled_then_the_rate_so_far():
    assert eta(0, 250, 30.0) == "ETA --"
    assert eta(50, 250, 10.0) == "ETA 40 s"  # 5 a second, 200 to go
    assert eta(10, 250, 60.0) == "ETA 24 min 0 s"
    assert eta(250, 250, 60.0) == "ETA 0 s"
    assert duration(3725) == "1 h 02 min"


@pytest.mark.parametrize("width", [60, 80])
def test_the_view_shows_share_eta_and_counts_on_their_own_lines_at_60_and_80_columns(width):
    clock = Clock()
    display = LiveDisplay(_console(width), "250 new WorkSpaces", 250, sandbox=True, clock=clock, auto_refresh=False)
    items = _items(pending=250)
    display.on_round(WaitResult(items))
    lines = _plain_lines(display, width)
    assert lines[2] == "0% · 0/250 settled · 0 s · ETA --"
    assert lines[3] == "250 PENDING"  # the state the create call answered, not "starting"
    for item in items[:50]:
        item.state, item.status = "AVAILABLE", Status.SUCCEEDED
        display.on_change(Change(item, "PENDING", "AVAILABLE", 10.0))
    items[50].state, items[50].status, items[50].reason = "ERROR", Status.FAILED, "ended in ERROR " + "x" * 200
    display.on_change(Change(items[50], "PENDING", "ERROR", 10.0))
    clock.now += 10
    lines = _plain_lines(display, width)
    assert lines[0].startswith(" SANDBOX ") and "Waiting for 250 new WorkSpaces" in lines[0]
    assert lines[2] == "20% · 51/250 settled · 10 s · ETA 39 s"
    assert lines[3] == "50 AVAILABLE, 1 ERROR, 199 PENDING"
    assert all(len(line) <= width for line in lines)
    assert len(lines) <= 24 - 2  # a 24-line terminal shows all of it
    assert any(line.startswith("ws-p0050") and "ERROR failed" in line for line in lines)  # one line, reason cut


def _bar_colours(display: LiveDisplay) -> set[str]:
    console = _console(80)
    colours = set()
    for segment in console.render(display._render()):
        if "━" in segment.text and segment.style and segment.style.color:
            colours.add(segment.style.color.name)
    return colours


def test_the_bar_is_never_green_when_something_failed():
    def display_for(items: list[Item]) -> LiveDisplay:
        display = LiveDisplay(_console(80), "3 WorkSpaces", len(items), clock=Clock(), auto_refresh=False)
        display.on_round(WaitResult(items))
        return display

    green = "rgb(114,156,31)"  # Rich's bar.finished
    assert _bar_colours(display_for(_items(available=3))) == {green}
    assert _bar_colours(display_for(_items(available=2, error=1))) == {"red"}
    assert _bar_colours(display_for(_items(available=1, error=1, pending=1))) == {"yellow", "grey23"}


def test_counts_and_summary_name_states_and_say_what_is_still_pending():
    result = WaitResult(_items(available=180, error=20, pending=50), elapsed=4.2)
    assert counts(result.items) == "180 AVAILABLE, 20 ERROR, 50 still PENDING"
    assert summary_line(result, "interrupted") == "Stopped after 4 s: 180 AVAILABLE, 20 ERROR, 50 still PENDING."
    assert summary_line(result, "timeout", total=30) == (
        "Timed out after 4 s of waiting: 180 AVAILABLE, 20 ERROR, 50 still PENDING."
    )
    done = WaitResult(_items(available=20), elapsed=9)
    assert summary_line(done, "ok", total=32.4) == "Done in 32 s: 20 AVAILABLE."
    update_failed = Item("ws-1", "u", "AVAILABLE", Status.FAILED, "UPDATE_FAILED on USER_VOLUME")
    assert counts([update_failed, *_items(available=1)]) == "1 AVAILABLE, 1 failed"  # not 2 AVAILABLE


def test_a_property_change_line_names_the_change_not_the_unchanged_state():
    out = io.StringIO()
    display = LineDisplay(Console(file=out, width=200), "2 WorkSpaces")
    item = Item("ws-1", "user1", "AVAILABLE", Status.SUCCEEDED, change="user volume 50 -> 100 GiB")
    display.on_change(Change(item, "AVAILABLE", "AVAILABLE", 3.0))
    line = out.getvalue().splitlines()[-1]
    assert line.endswith("ws-1 user1 user volume 50 -> 100 GiB applied")
    assert "AVAILABLE" not in line


def test_a_cancelled_bucket_lets_no_queued_call_through_and_wakes_those_waiting():
    bucket = TokenBucket(rate=0.5, burst=1)
    bucket.acquire()  # the next token is 2 s away
    ended: list[float] = []

    def queued() -> None:
        try:
            bucket.acquire()
        except WaitCancelled:
            ended.append(time.monotonic())

    thread = threading.Thread(target=queued)
    thread.start()
    time.sleep(0.1)
    cancelled_at = time.monotonic()
    bucket.cancelled.set()
    thread.join(timeout=2)
    assert ended and ended[0] - cancelled_at < 0.5
    with pytest.raises(KeyboardInterrupt):  # never reported as an error
        bucket.acquire()


def test_ctrl_c_in_a_poll_cancels_the_calls_queued_on_the_rate_limit_and_ends_the_wait():
    import os
    import signal

    from wsctl.context import AppContext
    from wsctl.ops.waiting import follow
    from wsctl.options import GlobalOptions
    from wsctl.spec.waits import SettleSpec

    err = io.StringIO()
    app = AppContext(GlobalOptions(sandbox=True, max_rate=0.5, burst=1), stderr=err)
    bucket = app.rate_limiter
    bucket.acquire()  # the next call waits 2 s for its token
    ended: list[str] = []

    def queued() -> None:
        try:
            bucket.acquire()
            ended.append("sent")
        except WaitCancelled:
            ended.append("cancelled")

    worker = threading.Thread(target=queued)
    waiting = threading.Event()
    wait_for_token = bucket.cancelled.wait

    def entered_wait(timeout: float | None = None) -> bool:
        waiting.set()
        return wait_for_token(timeout)

    bucket.cancelled.wait = entered_wait  # type: ignore[method-assign]

    def fetch(ids: object) -> dict[str, dict[str, object]]:
        worker.start()  # a describe of this poll, queued behind the rate limit
        assert waiting.wait(5)  # Ctrl-C comes once it waits for its token, however slowly the thread starts
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)  # never reached: Ctrl-C interrupts the poll
        return {}

    began = time.monotonic()
    result = follow(
        app, [Item("ws-1", "u", "PENDING")], fetch, SettleSpec(), noun="WorkSpace", timeout=30, poll_interval=0.01
    )
    worker.join(timeout=1)
    assert result.interrupted
    assert time.monotonic() - began < 1.5
    assert ended == ["cancelled"]  # it gave up instead of waiting for its turn
    assert not bucket.cancelled.is_set()  # later calls of the run go through again
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert "Stopping…" in err.getvalue()


def test_the_send_progress_counts_answered_calls_with_an_eta():
    from wsctl.render.live import SendProgress

    clock = Clock()
    progress = SendProgress(_console(60), "step 1 of 2", 20, clock=clock)
    for _ in range(12):
        progress.tick()
    clock.now += 6
    console = Console(file=io.StringIO(), width=60, record=True, color_system=None)
    console.print(progress._render())
    lines = [line.rstrip() for line in console.export_text().splitlines()]
    assert lines[0] == "Sending step 1 of 2"
    assert lines[2] == "12/20 calls answered · 6 s · ETA 4 s"
