"""`create --wait` as a person sees it: a 24x80 pseudo-terminal, the screen rendered by pyte.

The real command runs against the sandbox (its database is the test's, via the autouse
fixture's WSCTL_SANDBOX_DB); what is asserted is what ends up on the screen after every
redraw of the live view, and how fast Ctrl-C ends a wait.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from tests import sandbox_support as sb
from tests.pty_support import Terminal, spawn

FLEET = 250
FAILING = 10  # on the bundle whose WorkSpaces end in ERROR
UNKNOWN = 2  # users the directory does not have: FailedRequests
PROGRESS = re.compile(r"^\d{1,3}% · [\d,]+/250 settled · .+ · ETA ")


def _fleet(tmp_path: Path, seed: dict[str, Any], *, failing: int = 0, unknown: int = 0) -> str:
    bad = sb.failing_bundle_id(seed)
    lines = [
        "defaults:",
        f"  directory_id: {sb.primary_directory(seed)['DirectoryId']}",
        f"  bundle_id: {sb.bundle_id(seed)}",
        "workspaces:",
    ]
    good = FLEET - failing
    lines += [f"  - user: user{i:04d}" for i in range(1, good + 1)]
    lines += [f"  - {{user: user{i:04d}, bundle_id: {bad}}}" for i in range(good + 1, FLEET + 1)]
    lines += [f"  - user: nobody{i}" for i in range(unknown)]
    path = tmp_path / "fleet.yaml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _live_view(term: Terminal) -> tuple[int, list[str]] | None:
    """(row of the progress line, the screen) while the live view is drawn."""
    lines = term.lines()
    row = next((n for n, line in enumerate(lines) if PROGRESS.match(line)), None)
    return None if row is None else (row, lines)


def _last_line(term: Terminal) -> str:
    return next(line for line in reversed(term.lines()) if line.strip())


def test_a_250_workspace_create_with_failures_ends_with_the_summary_on_the_last_line(tmp_path):
    seed = sb.reset("--users", str(FLEET), "--time-scale", "0.6")  # PENDING for 3 s
    path = _fleet(tmp_path, seed, failing=FAILING, unknown=UNKNOWN)
    term = spawn(["--sandbox", "create", "-f", path, "--yes", "--wait", "--poll-interval", "0.5"], rows=24, cols=80)
    assert term.wait_for(lambda t: _live_view(t) is not None, timeout=60), term.text()
    view = _live_view(term)
    assert view is not None
    row, lines = view
    # The first frame starts from what the create call answered, not from "starting".
    assert re.match(r"^[\d,]+ (PENDING|AVAILABLE)", lines[row + 1]), lines
    assert all(len(line) <= 80 for line in lines)
    assert term.finish(timeout=60) == 3  # some failed
    lines = [line for line in term.lines() if line.strip()]
    waited = next(n for n, line in enumerate(lines) if line.startswith("Done in "))
    assert re.fullmatch(rf"Done in \d+ s: {FLEET - FAILING} AVAILABLE, {FAILING} ERROR\.", lines[waited]), lines
    # Then only the command's summary (wrapped at 80 columns): the summary is the last thing printed.
    rest = "".join(lines[waited + 1 :])
    assert re.fullmatch(rf"Created {FLEET}, existing 0, failed {UNKNOWN} · calls: .* · [\d.]+ s", rest), lines
    assert "Traceback" not in term.raw.decode(errors="replace")


def test_ctrl_c_during_the_wait_stops_at_once_with_the_counts_and_the_resume_command(tmp_path):
    seed = sb.reset("--users", str(FLEET), "--time-scale", "100")  # nothing settles during the test
    path = _fleet(tmp_path, seed)
    # The client's own pacing (2 calls/s): a poll of 250 WorkSpaces is 10 describes, 5 s of them
    # queued on the rate limit, the case where Ctrl-C used to wait for the queue.
    term = spawn(
        ["--sandbox", "create", "-f", path, "--yes", "--wait", "--poll-interval", "0.2"],
        rows=24,
        cols=80,
        unset=("WSCTL_MAX_RATE", "WSCTL_BURST"),
    )
    assert term.wait_for(lambda t: _live_view(t) is not None, timeout=60), term.text()
    term.wait_for(lambda t: False, timeout=1.5)  # into a poll
    assert _live_view(term) is not None, term.text()
    pressed = time.monotonic()
    term.interrupt()
    code = term.finish(timeout=15)
    took = time.monotonic() - pressed
    text = term.text()
    assert code == 130, text
    assert took < 1.5, f"{took:.1f} s after Ctrl-C\n{text}"
    assert "Stopping…" in text
    assert re.search(r"To keep waiting: wsctl --sandbox describe --ids-from \S+", text.replace("\n", "")), text
    lines = [line for line in term.lines() if line.strip()]
    stopped = next(n for n, line in enumerate(lines) if line.startswith("Stopped after "))
    assert re.fullmatch(r"Stopped after \d+ s: 250 still PENDING\.", lines[stopped]), text
    # Then only the command's summary (wrapped at 80 columns), the last thing printed.
    rest = "".join(lines[stopped + 1 :])
    assert re.fullmatch(r"Created 250, existing 0, failed 0 · calls: .* · [\d.]+ s", rest), text
    assert sum(1 for line in term.lines() if "ws-" in line) == 0, text  # no row per pending WorkSpace
    assert _live_view(term) is None  # the live view is gone, not left half-drawn
