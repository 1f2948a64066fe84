"""The whole interactive `create` as a person sees it: a 24x80 terminal, rendered by pyte, on the sandbox."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import sandbox_support as sb
from tests.helpers import wsctl
from tests.pty_support_interactive import BACKSPACE, ENTER, Screen
from wsctl.input import remembered

POLL = ("--poll-interval", "0.05")


@pytest.fixture
def screen(tmp_path: Path) -> Iterator[Any]:
    opened: list[Screen] = []

    def open_screen(*args: str) -> Screen:
        shown = Screen(tmp_path, *args, lines=24, columns=80)
        opened.append(shown)
        return shown

    yield open_screen
    for shown in opened:
        shown.close()


def users_in(seed: dict[str, Any], directory: dict[str, Any], count: int) -> list[str]:
    return [u for u in directory["UserNames"] if not u.startswith("sandbox-")][:count]


def printed_command(shown: Screen) -> list[str]:
    """The command printed last, after "The same without questions", put back together where the terminal wrapped it."""
    rows = shown.screen.display  # each exactly 80 characters: a full row goes on in the next
    start = next(i for i, row in enumerate(rows) if row.startswith("  wsctl "))
    assert rows[start - 1].startswith("The same without questions")
    return shlex.split("".join(rows[start:]).strip())


def test_interactive_create_with_filters_checks_and_the_equivalent_command(screen: Any) -> None:
    seed = sb.reset(*sb.FAST)
    directory = sb.primary_directory(seed)
    directory_id = directory["DirectoryId"]
    bundle = sb.bundle_id(seed)
    had, new = users_in(seed, directory, 2)
    before = wsctl(*sb.create_args(seed, had), "-o", "ids")
    assert before.exit_code == 0, before.stderr
    existing_id = before.stdout.strip()

    shown = screen("--sandbox", "create", "-o", "json", *POLL)
    shown.wait_for(r"^\? Directory: \(Use arrow keys, type to filter\)")
    shown.send("corp")  # the directory's name: the filtered list and the filter under it
    shown.wait_for(r"^/ corp\.\.\.  \(1 of 2\)")
    assert [row for row in shown.display if "d-" in row] == [
        f" » {directory_id}  {directory['DirectoryName']}  (SIMPLE_AD, REGISTERED)"
    ]
    shown.send("zz")
    shown.wait_for(r"no match for 'corpzz'")
    assert "d-" not in shown.text
    shown.send(ENTER)  # nothing to take: still asking
    shown.send(BACKSPACE * 2)
    shown.wait_for(r"^/ corp\.\.\.  \(1 of 2\)")
    shown.send(ENTER)
    shown.wait_for(r"^\? Bundle:")
    assert f"? Directory: {directory_id}  " in shown.everything

    shown.wait_for(r"^   wsb-")  # the list fills the screen
    shown.send(bundle)
    shown.wait_for(rf"^/ {bundle}\.\.\.  \(1 of \d+\)")
    rows = shown.display
    filter_row = next(i for i, row in enumerate(rows) if row.startswith("/ "))
    assert rows[filter_row - 2].startswith(f" » {bundle}  ")  # the filter line stays right under the list
    assert [row for row in rows if "wsb-" in row] == [rows[filter_row - 2], rows[filter_row]]
    shown.send(ENTER)
    shown.wait_for(r"^\? User names")
    assert f"? Bundle: {bundle}  " in shown.everything

    shown.send("x" * 64)  # the model allows 63 characters: the message shows under the question
    shown.wait_for(r"^\? User names \(separated by spaces or commas\): x+")
    shown.send(ENTER)
    shown.wait_for(r"^user name 'x{12}\.\.\.' is 64 characters long; at most 63 allowed$")
    shown.send(BACKSPACE * 64 + f"{had}, {new}" + ENTER)
    shown.wait_for(rf"^{had} already has {existing_id} \(\w+\); skipped")  # at once, before anything else
    shown.wait_for(rf"^1 user already has a WorkSpace in {directory_id}; 1 WorkSpace to create\.")
    shown.wait_for(r"^\? Running mode:")
    shown.send(ENTER)
    shown.wait_for(r"^\? Auto-stop timeout \(minutes\): 60")
    shown.send(BACKSPACE * 2 + "90" + ENTER)
    shown.wait_for(r"90 minutes is not a multiple of 60 \(try 60 or 120\)")
    shown.send(BACKSPACE * 2 + "120" + ENTER)
    shown.wait_for(r"^\? Wait until it is AVAILABLE\? \(Y/n\)")
    shown.send(ENTER)
    shown.wait_for(r"^\? Create 1 WorkSpace in the SANDBOX\? \(Y/n\)")
    shown.send(ENTER)
    shown.wait_for(r"^The same without questions")
    assert shown.finish() == 0, shown.text

    command = printed_command(shown)
    assert command == [
        "wsctl", "--sandbox", "create", "--directory-id", directory_id, "--bundle-id", bundle,
        "--user", had, "--user", new, "--running-mode", "AUTO_STOP", "--auto-stop-timeout", "120",
        "--wait", "--poll-interval", "0.05", "-o", "json",
    ]  # fmt: skip
    made = {w["UserName"]: w for w in sb.client().describe_workspaces(DirectoryId=directory_id)["Workspaces"]}
    assert sorted(made) == sorted([had, new])
    assert made[new]["State"] == "AVAILABLE"  # it waited
    assert made[new]["WorkspaceProperties"]["RunningModeAutoStopTimeoutInMinutes"] == 120
    assert json.loads(shown.stdout)  # data only on stdout

    # The printed command, run as is, finds the same WorkSpaces and sends nothing.
    calls = sb.counts().get("CreateWorkspaces", 0)
    again = wsctl(*command[1:])
    assert again.exit_code == 0, again.stderr
    assert "Nothing to create: all 2 users already have a WorkSpace." in again.stderr
    assert sorted(w["WorkspaceId"] for w in again.json()["Workspaces"]) == sorted(
        w["WorkspaceId"] for w in made.values()
    )
    assert sb.counts().get("CreateWorkspaces", 0) == calls

    # The picks are remembered for the sandbox.
    assert remembered.recall("sandbox") == {"directory_id": directory_id, "bundle_id": bundle}


def test_the_last_choices_come_first_and_all_existing_users_end_the_questions(screen: Any) -> None:
    seed = sb.reset(*sb.FAST)
    directory = sb.second_directory(seed)  # not the first in the list
    directory_id = directory["DirectoryId"]
    bundle = sb.bundle_id(seed, compute="PERFORMANCE")
    users = users_in(seed, directory, 2)
    flags = [a for u in users for a in ("--user", u)]
    made = wsctl("--sandbox", "create", "--directory-id", directory_id, "--bundle-id", bundle, *flags, "--yes")
    assert made.exit_code == 0, made.stderr
    remembered.remember("sandbox", {"directory_id": directory_id, "bundle_id": bundle})

    shown = screen("--sandbox", "create", "--dry-run", "-o", "json")
    shown.wait_for(r"^\? Directory:")
    shown.wait_for(
        rf"^ » {directory_id} \(last used\)  {re.escape(directory['DirectoryName'])}  "
    )  # first, highlighted
    shown.send(ENTER)
    shown.wait_for(r"^\? Bundle:")
    shown.wait_for(rf"^ » {bundle} \(last used\)  ")
    shown.send(ENTER)
    shown.wait_for(r"^\? User names")
    shown.send(" ".join(users) + ENTER)
    shown.wait_for(rf"^Nothing to create: all 2 users already have a WorkSpace in {directory_id}\.")
    assert shown.finish() == 0, shown.text
    assert "Running mode" not in shown.everything  # nothing more was asked
    assert printed_command(shown)[-5:] == ["--user", users[1], "--dry-run", "-o", "json"]
    assert sorted(w["UserName"] for w in json.loads(shown.stdout)["Existing"]) == sorted(users)
    assert sb.counts()["CreateWorkspaces"] == 1  # only the one made before
