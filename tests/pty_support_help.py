"""Run the real `wsctl` on a pseudo-terminal of a given size and read the screen a person would see.

pexpect gives the process a terminal (so wsctl sizes its tables to it and may colour them);
pyte plays the bytes it wrote onto a virtual screen of the same size, so a test reads the
rows as displayed: what was cut, wrapped or pushed off the right edge shows as it would.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

import pexpect
import pyte


def screen_of(
    *args: str, rows: int = 24, columns: int = 80, env: Mapping[str, str] | None = None, timeout: float = 60
) -> list[str]:
    """The screen's rows (trailing spaces dropped) once `wsctl ARGS` has exited on a rows x columns terminal."""
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}  # the terminal's size rules
    environment.update({"TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", **(env or {})})
    environment.pop("NO_COLOR", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "wsctl", *args],
        env=environment,
        dimensions=(rows, columns),
        encoding="utf-8",
        codec_errors="replace",
        timeout=timeout,
    )
    screen = pyte.Screen(columns, rows)
    stream = pyte.Stream(screen)
    try:
        while True:
            try:
                stream.feed(child.read_nonblocking(65536, timeout=timeout))
            except pexpect.EOF:
                break
    finally:
        child.close()
    status = child.exitstatus
    if status != 0:
        raise AssertionError(f"wsctl {' '.join(args)} exited {status}:\n" + "\n".join(screen.display))
    return [line.rstrip() for line in screen.display]
