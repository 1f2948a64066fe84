"""`wsctl describe | less`: data held until the last stderr line, so no summary lands on the pager's screen."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

import pytest

from tests.sandbox_support import FAST, reset
from wsctl.cli.app import app


class _Stream(io.StringIO):
    """One of the process's streams, writing into a shared log of (stream, text) in order."""

    def __init__(self, name: str, log: list[tuple[str, str]], *, tty: bool) -> None:
        super().__init__()
        self.name, self._log, self._tty = name, log, tty

    def write(self, text: str) -> int:
        if text:
            self._log.append((self.name, text))
        return super().write(text)

    def isatty(self) -> bool:
        return self._tty


def _run(monkeypatch: pytest.MonkeyPatch, *args: str, stdout_tty: bool, stderr_tty: bool) -> list[tuple[str, str]]:
    log: list[tuple[str, str]] = []
    with monkeypatch.context() as m:
        m.setattr(sys, "stdout", _Stream("out", log, tty=stdout_tty))
        m.setattr(sys, "stderr", _Stream("err", log, tty=stderr_tty))
        m.setenv("COLUMNS", "200")
        with pytest.raises(SystemExit) as ended:
            app(list(args), prog_name="wsctl")
    assert ended.value.code in (0, None)
    return log


def _fleet() -> None:
    reset(*FAST)
    from tests.helpers import wsctl

    assert wsctl("--sandbox", "create", "-f", "examples/fleet.yaml", "--yes").exit_code == 0


def test_piped_data_comes_after_every_stderr_line_when_a_person_watches_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    _fleet()
    log = _run(monkeypatch, "--sandbox", "describe", stdout_tty=False, stderr_tty=True)
    order = [name for name, _ in log]
    assert "out" in order and "err" in order, log
    first_data = order.index("out")
    assert "err" not in order[first_data:], log  # nothing on stderr once the pager has data
    data = "".join(text for name, text in log if name == "out")
    assert data.count("ws-") == 8  # and all of it arrives


def test_without_a_person_on_stderr_data_is_not_held(monkeypatch: pytest.MonkeyPatch) -> None:
    _fleet()
    log = _run(monkeypatch, "--sandbox", "describe", stdout_tty=False, stderr_tty=False)
    order = [name for name, _ in log]
    # The summary follows the table, as written (a log file or CI keeps the natural order).
    assert order.index("out") < len(order) - 1 - order[::-1].index("err"), log


def test_ids_held_for_a_pipe_still_reach_the_next_command(tmp_path: Any) -> None:
    # The real command in a pipe, its stderr on a terminal: set-mode gets every ID at describe's exit.
    reset(*FAST)
    import os
    import pty

    primary, secondary = pty.openpty()
    try:
        created = subprocess.run(
            [sys.executable, "-m", "wsctl", "--sandbox", "create", "-f", "examples/fleet.yaml", "--yes"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert created.returncode == 0, created.stderr
        described = subprocess.run(
            [sys.executable, "-m", "wsctl", "--sandbox", "describe", "-o", "ids"],
            stdout=subprocess.PIPE,
            stderr=secondary,
            text=True,
            timeout=60,
        )
    finally:
        os.close(secondary)
        os.close(primary)
    assert described.returncode == 0
    assert len(described.stdout.split()) == 8
