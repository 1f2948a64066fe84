"""Run `wsctl` in a pseudo-terminal of a given size and read the screen as a person sees it.

pexpect gives the process a real terminal (so wsctl draws its live view), pyte plays the
bytes it writes on an emulated screen: a test asserts on the lines that end up displayed,
after every cursor move and redraw, not on the raw escape sequences.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence

import pexpect
import pyte

# What the autouse fixture sets that would override the terminal's own size for Rich.
_SIZE_VARIABLES = ("COLUMNS", "LINES")


class Terminal:
    """One `wsctl` process on a pty of `rows` x `cols`, with its output fed to a pyte screen."""

    def __init__(
        self,
        args: Sequence[str],
        *,
        rows: int = 24,
        cols: int = 80,
        env: dict[str, str] | None = None,
        unset: Sequence[str] = (),
    ) -> None:
        full_env = {k: v for k, v in os.environ.items() if k not in (*_SIZE_VARIABLES, *unset)}
        full_env.update({"TERM": "xterm-256color", **(env or {})})
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self.child = pexpect.spawn(
            sys.executable, ["-m", "wsctl", *args], env=full_env, dimensions=(rows, cols), timeout=None
        )
        self.exit_code: int | None = None

    def _pump(self, timeout: float) -> bool:
        """Feed what the process wrote within `timeout` to the screen; False once it has ended."""
        try:
            data = self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False
        self.raw += data
        self.stream.feed(data)
        return True

    def lines(self) -> list[str]:
        """The screen's rows, trailing blanks stripped."""
        return [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        return "\n".join(self.lines())

    def wait_for(self, condition: Callable[[Terminal], bool], timeout: float) -> bool:
        """Read until `condition(self)` holds (True) or `timeout` passes or the process ends (False)."""
        deadline = time.monotonic() + timeout
        while not condition(self):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._pump(min(0.05, remaining)):
                return condition(self)
        return True

    def wait_for_text(self, text: str, timeout: float) -> bool:
        return self.wait_for(lambda t: text in t.text(), timeout)

    def finish(self, timeout: float) -> int:
        """Read everything until the process exits (within `timeout`, else it is killed) and its exit code."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._pump(0.05):
            pass
        if self.child.isalive():
            self.child.terminate(force=True)
            raise AssertionError(f"wsctl did not end within {timeout} s; screen:\n{self.text()}")
        self.child.close()
        status, signal_number = self.child.exitstatus, self.child.signalstatus
        code = int(status) if status is not None else 128 + int(signal_number)
        self.exit_code = code
        return code

    def interrupt(self) -> None:
        """Ctrl-C as a person types it: the terminal sends SIGINT to the foreground process."""
        self.child.sendintr()


def spawn(
    args: Sequence[str],
    *,
    rows: int = 24,
    cols: int = 80,
    env: dict[str, str] | None = None,
    unset: Sequence[str] = (),
) -> Terminal:
    """`python -m wsctl ARGS` on a fresh pty; `unset` names variables of this process it must not see."""
    return Terminal(args, rows=rows, cols=cols, env=env, unset=unset)
