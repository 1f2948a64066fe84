"""`wsctl` on a pseudo-terminal of a given size, its screen rendered by a terminal emulator (pyte).

What a person sees, line by line, not the escape sequences drawn to get there. stdout goes
to a file, so the screen shows only what is drawn on stderr (questions, notes) and a test
can check that stdout holds only data.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pexpect
import pyte

TIMEOUT = 30.0
ENTER = "\r"
UP = "\x1b[A"
DOWN = "\x1b[B"
BACKSPACE = "\x7f"
CTRL_C = "\x03"


def spawn_wsctl(
    stdout_path: Path, args: tuple[str, ...], *, lines: int, columns: int, env: dict[str, str] | None, timeout: float
) -> pexpect.spawn:
    """`python -m wsctl ARGS` on a LINES x COLUMNS pseudo-terminal, its stdout going to `stdout_path`."""
    full_env = {
        **os.environ,
        "TERM": "xterm",
        "COLUMNS": str(columns),
        "LINES": str(lines),
        # Nothing answers prompt_toolkit's cursor-position requests here; do not wait for one.
        "PROMPT_TOOLKIT_NO_CPR": "1",
        **(env or {}),
    }
    return pexpect.spawn(
        "/bin/sh",
        ["-c", 'out="$1"; shift; exec "$@" > "$out"', "sh", str(stdout_path), sys.executable, "-m", "wsctl", *args],
        env=full_env,
        encoding="utf-8",
        timeout=timeout,
        dimensions=(lines, columns),
    )


class Screen:
    """`wsctl ARGS` in a LINES x COLUMNS terminal; `display` is what it shows now."""

    def __init__(
        self, tmp_path: Path, *args: str, lines: int = 24, columns: int = 80, env: dict[str, str] | None = None
    ) -> None:
        self.lines, self.columns = lines, columns
        self.stdout_path = tmp_path / f"stdout-{time.monotonic_ns()}.txt"
        self.child = spawn_wsctl(self.stdout_path, args, lines=lines, columns=columns, env=env, timeout=TIMEOUT)
        # A history screen keeps the rows that scrolled off the top, for `everything`.
        self.screen = pyte.HistoryScreen(columns, lines, history=1000)
        self.stream = pyte.Stream(self.screen)

    @property
    def display(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    @property
    def text(self) -> str:
        return "\n".join(self.display)

    @property
    def everything(self) -> str:
        """The rows that scrolled off the top, then the screen."""
        scrolled = ["".join(row[x].data for x in range(self.columns)).rstrip() for row in self.screen.history.top]
        return "\n".join([*scrolled, *self.display])

    def _read(self, wait: float) -> bool:
        """Feed what was drawn to the emulator; False once wsctl has ended."""
        try:
            self.stream.feed(self.child.read_nonblocking(65536, timeout=wait))
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            return False
        return True

    def wait_for(self, pattern: str, *, timeout: float = TIMEOUT) -> re.Match[str]:
        """Wait until the screen shows `pattern` (a regex, matched against the whole screen)."""
        regex = re.compile(pattern, re.MULTILINE)
        deadline = time.monotonic() + timeout
        while True:
            found = regex.search(self.text)
            if found:
                return found
            if time.monotonic() > deadline or not self._read(0.1):
                raise AssertionError(f"{pattern!r} not shown; the {self.lines}x{self.columns} screen is:\n{self.text}")

    def wait_gone(self, pattern: str, *, timeout: float = TIMEOUT) -> None:
        regex = re.compile(pattern, re.MULTILINE)
        deadline = time.monotonic() + timeout
        while regex.search(self.text):
            if time.monotonic() > deadline or not self._read(0.1):
                raise AssertionError(f"{pattern!r} still shown; the screen is:\n{self.text}")

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def finish(self) -> int:
        """Wait for wsctl to end; its exit status (128+N after signal N)."""
        deadline = time.monotonic() + TIMEOUT
        while self._read(0.1):
            if time.monotonic() > deadline:
                raise AssertionError(f"wsctl did not end; the screen is:\n{self.text}")
        self.child.close()
        status = self.child.exitstatus
        return int(status if status is not None else 128 + (self.child.signalstatus or 0))

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text()
