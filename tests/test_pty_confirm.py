"""A confirmation answered on the terminal while stdin is a pipe: `describe -o ids | set-mode -`.

The pipeline runs under `bash -c` in a real 24x80 pseudo-terminal (pexpect), drawn with
pyte as a terminal would show it. set-mode reads its targets from the pipe and asks on
/dev/tty, the terminal the person is at.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from typing import Any

import pexpect
import pyte

from tests import sandbox_support as sb

LINES, COLUMNS = 24, 80
TIMEOUT = 60


class Screen:
    """`bash -c PIPELINE` on a pseudo-terminal, rendered by pyte."""

    def __init__(self, pipeline: str) -> None:
        env = {
            **os.environ,
            "TERM": "xterm",
            "COLUMNS": str(COLUMNS),
            "LINES": str(LINES),
            "PROMPT_TOOLKIT_NO_CPR": "1",  # nothing here answers prompt_toolkit's cursor-position requests
        }
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.Stream(self.screen)
        self.child = pexpect.spawn(
            "bash", ["-c", pipeline], env=env, encoding="utf-8", timeout=TIMEOUT, dimensions=(LINES, COLUMNS)
        )

    def text(self) -> str:
        """The screen as one line: rows joined as the terminal wrapped them, runs of blanks as one space."""
        return re.sub(r"\s+", " ", "".join(self.screen.display))

    def _read(self) -> bool:
        try:
            self.stream.feed(self.child.read_nonblocking(65536, timeout=0.2))
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            return False
        return True

    def wait_for(self, pattern: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        while not re.search(pattern, self.text()):
            if not self._read() or time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} not on the screen:\n" + "\n".join(self.screen.display))
        return self.text()

    def finish(self) -> int:
        while self._read():
            pass
        self.child.close()
        return int(self.child.exitstatus if self.child.exitstatus is not None else 128 + (self.child.signalstatus or 0))


def pipeline() -> str:
    wsctl = f"{shlex.quote(sys.executable)} -m wsctl"
    return f"{wsctl} describe --sandbox -o ids | {wsctl} set-mode - --sandbox --running-mode ALWAYS_ON"


def modes() -> dict[str, Any]:
    return {
        w["WorkspaceId"]: w["WorkspaceProperties"]["RunningMode"]
        for w in sb.client().describe_workspaces()["Workspaces"]
    }


def ask(term: Screen) -> str:
    return term.wait_for(r"Change 5 WorkSpaces in the SANDBOX\? \(Y/n\)")


def test_a_piped_set_mode_asks_on_the_terminal_and_no_sends_nothing():
    _, ids = sb.make_fleet(5)
    assert set(modes().values()) == {"AUTO_STOP"}
    term = Screen(pipeline())
    shown = ask(term)
    # Where, who and what it costs, before the question.
    assert "About to change 5 WorkSpaces (5x AUTO_STOP (60m) -> ALWAYS_ON) in the SANDBOX (" in shown
    assert "for user0001, user0002, user0003 and 2 more; 0 unchanged." in shown
    assert "This switches 5 WorkSpaces from AUTO_STOP (billed by the hour) to ALWAYS_ON (billed monthly)." in shown
    term.child.send("n")
    assert term.finish() == 1
    shown = term.text()
    assert "Cancelled; nothing was sent." in shown
    assert "error" not in shown.lower()  # an answer, not an error
    assert "ModifyWorkspaceProperties" not in sb.counts()
    assert set(modes().values()) == {"AUTO_STOP"}
    assert sorted(modes()) == sorted(ids)


def test_a_piped_set_mode_confirmed_on_the_terminal_applies():
    _, ids = sb.make_fleet(5)
    term = Screen(pipeline())
    ask(term)
    term.child.send("y")
    assert term.finish() == 0, "\n".join(term.screen.display)
    assert sb.counts()["ModifyWorkspaceProperties"] == 5
    deadline = time.monotonic() + 10  # the sandbox applies a change after a (scaled) moment
    while set(modes().values()) != {"ALWAYS_ON"} and time.monotonic() < deadline:
        time.sleep(0.05)
    assert modes() == dict.fromkeys(ids, "ALWAYS_ON")


def test_with_stderr_on_a_terminal_that_is_not_the_controlling_one_it_still_needs_yes():
    """stderr is a terminal but the process has no controlling terminal (a new session): nobody to ask."""
    sb.make_fleet(2)
    main, secondary = os.openpty()
    proc = subprocess.Popen(
        ["bash", "-c", pipeline()],
        stdin=subprocess.DEVNULL,
        stdout=secondary,
        stderr=secondary,
        start_new_session=True,  # setsid: no controlling terminal, as under cron or a CI runner
        env={**os.environ, "TERM": "xterm"},
    )
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: every writer has closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(main)
    assert proc.wait(timeout=TIMEOUT) == 2, output
    assert b"no terminal to confirm it; pass --yes" in output
    assert "ModifyWorkspaceProperties" not in sb.counts()
