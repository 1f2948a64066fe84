"""Tables on a terminal fit its width without losing IDs, user names or states; pipes and -o wide keep every column."""

from __future__ import annotations

import os
import re
import sys

import pexpect
import pytest

from tests import sandbox_support as sb
from tests.helpers import wsctl
from tests.sandbox_support import make_fleet

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_a_terminal(columns: int, *args: str, term: str = "xterm", lines: bool = True) -> str:
    """What `wsctl ARGS` draws on a terminal of `columns` columns (stdout and stderr on the terminal)."""
    env = {**os.environ, "TERM": term, "COLUMNS": str(columns), "LINES": "50"}
    if not lines:  # as many terminals set it: only the width is known
        env.pop("LINES")
    child = pexpect.spawn(
        sys.executable, ["-m", "wsctl", *args], env=env, encoding="utf-8", dimensions=(50, columns), timeout=60
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return ANSI.sub("", str(child.before)).replace("\r", "")


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_describe_fits_the_terminal_and_keeps_ids_users_and_states(columns):
    _, ids = make_fleet(3)
    screen = on_a_terminal(columns, "--sandbox", "describe")
    lines = [line for line in screen.splitlines() if line.strip()]
    assert max(len(line) for line in lines) <= columns, screen
    for workspace_id, user in zip(ids, ("user0001", "user0002", "user0003"), strict=True):
        row = next(line for line in lines if workspace_id in line)
        assert user in row and "AVAILABLE" in row, screen
    if columns < 120:
        assert "Not shown, to fit the terminal:" in screen and "-o wide" in screen


def test_wide_and_a_pipe_keep_every_column():
    make_fleet(1)
    for args in (("-o", "wide"), ()):
        run = wsctl("--sandbox", "describe", *args)
        assert run.exit_code == 0
        for header in ("WorkspaceId", "UserName", "State", "DirectoryId", "BundleId", "IP", "Modifications"):
            assert header in run.stdout, (args, header)
        assert "Not shown" not in run.stdout


@pytest.mark.parametrize("term", ["xterm", "dumb"])
def test_wide_on_a_narrow_terminal_shows_every_column_whole(term):
    _, ids = make_fleet(2)
    screen = on_a_terminal(80, "--sandbox", "describe", "-o", "wide", term=term, lines=False)
    # The terminal wraps the long lines; joined again, each row has every cell whole, nothing cut at column 80.
    text = screen.replace("\n", "")
    for header in ("DirectoryId", "BundleId", "IP", "Modifications"):
        assert header in text, screen
    for workspace_id in ids:
        assert re.search(rf"{workspace_id} .*d-[0-9a-f]{{10}} .*wsb-[0-9a-z]{{9}} .*\d+\.\d+\.\d+\.\d+", text), screen


def test_a_dumb_terminal_gets_timestamped_wait_lines_and_ascii_tables():
    seed = sb.reset(*sb.FAST)
    screen = on_a_terminal(
        100, *sb.create_args(seed, "user0001"), "--yes", "--wait", "--poll-interval", "0.05", term="dumb"
    )
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ws-\w+ user0001 PENDING -> AVAILABLE succeeded", screen), screen
    assert "+--" in screen and "┏" not in screen and "│" not in screen, screen


def test_a_rerun_for_one_user_says_so_in_the_singular():
    seed = sb.reset(*sb.FAST)
    assert wsctl(*sb.create_args(seed, "user0001"), "--yes").exit_code == 0
    again = wsctl(*sb.create_args(seed, "user0001"), "--yes")
    assert "Nothing to create: the user already has a WorkSpace." in again.stderr
