"""Interactive prompts, driven in a real pseudo-terminal (pexpect) against the sandbox.

The prompts are drawn on the terminal through stderr; stdout is redirected to a file in
these tests, so they also prove that a piped stdout only ever holds data.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests import sandbox_support as sb
from tests.helpers import wsctl
from tests.pty_support_interactive import BACKSPACE, CTRL_C, DOWN, ENTER, spawn_wsctl
from wsctl.spec import enums as modeldata

TIMEOUT = 60
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")
FAST = ("--time-scale", "0.02")


class Terminal:
    """`wsctl ARGS` on a pseudo-terminal (stdin and stderr), with stdout going to a file."""

    def __init__(
        self, tmp_path: Path, *args: str, env: dict[str, str] | None = None, lines: int = 40, columns: int = 120
    ) -> None:
        self.stdout_path = tmp_path / "stdout.txt"
        self.child = spawn_wsctl(self.stdout_path, args, lines=lines, columns=columns, env=env, timeout=TIMEOUT)
        self.raw = ""  # everything drawn so far
        self.seen = 0  # how much of `screen` earlier waits have consumed

    @property
    def screen(self) -> str:
        """What was drawn, escape sequences removed."""
        return ANSI.sub("", self.raw)

    def wait_for(self, pattern: str) -> None:
        """Wait until `pattern` (a regex) is drawn after what earlier waits consumed."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + TIMEOUT
        while True:
            found = regex.search(self.screen, self.seen)
            if found:
                self.seen = found.end()
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} not drawn in {TIMEOUT} s; the screen ends:\n{self.screen[-1500:]}")
            try:
                self.raw += self.child.read_nonblocking(65536, timeout=0.5)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                raise AssertionError(
                    f"wsctl ended before {pattern!r}; the screen ends:\n{self.screen[-1500:]}"
                ) from None

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def answered(self, question: str) -> str:
        """The answer questionary drew after `question` was answered (the last one on the screen)."""
        found = re.findall(rf"{re.escape(question)} ([^\r\n]+)", self.screen)
        assert found, f"no answer to {question!r} on the screen"
        return str(found[-1]).strip()

    def finish(self) -> int:
        self.child.expect(pexpect.EOF)
        self.raw += str(self.child.before)
        self.child.close()
        status = self.child.exitstatus
        return int(status if status is not None else 128 + (self.child.signalstatus or 0))

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text()


@pytest.fixture
def terminal(tmp_path: Path) -> Any:
    opened: list[Terminal] = []

    def open_terminal(*args: str, env: dict[str, str] | None = None, lines: int = 40, columns: int = 120) -> Terminal:
        term = Terminal(tmp_path, *args, env=env, lines=lines, columns=columns)
        opened.append(term)
        return term

    yield open_terminal
    for term in opened:
        if term.child.isalive():
            term.child.terminate(force=True)


def users_of(seed: dict[str, Any], directory_id: str, count: int) -> list[str]:
    directory = next(d for d in seed["Directories"] if d["DirectoryId"] == directory_id)
    return [u for u in directory["UserNames"] if not u.startswith("sandbox-")][:count]


def workspaces_in(directory_id: str, *, at_least: int = 0) -> list[dict[str, Any]]:
    """The directory's WorkSpaces; waits (briefly) for `at_least` of them, as new IDs show up late."""
    deadline = time.monotonic() + 10
    while True:
        found = list(sb.client().describe_workspaces(DirectoryId=directory_id)["Workspaces"])
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def running_modes(directories: list[str]) -> dict[str, str]:
    return {
        w["WorkspaceId"]: w["WorkspaceProperties"]["RunningMode"]
        for d in directories
        for w in workspaces_in(d, at_least=2)
    }


def answer_create_questions(term: Terminal, seed: dict[str, Any], bundle: str) -> tuple[str, list[str]]:
    """Pick the highlighted directory, filter bundles to `bundle`, two users, AUTO_STOP for 120 minutes, no wait."""
    term.wait_for(r"Directory:")
    term.send(ENTER)
    term.wait_for(r"Bundle:")
    directory = term.answered("Directory:").split()[0]
    assert directory in {d["DirectoryId"] for d in seed["Directories"]}
    term.send(bundle)  # typed: the list narrows to the one bundle whose line holds this ID
    term.wait_for("/ " + re.escape(bundle) + r"\.\.\.")  # the filter line
    term.send(ENTER)
    term.wait_for(r"User names")
    assert term.answered("Bundle:").startswith(bundle)
    users = users_of(seed, directory, 2)
    term.send(", ".join(users) + ENTER)
    term.wait_for(r"Running mode:")
    term.send(ENTER)
    term.wait_for(r"Auto-stop timeout \(minutes\):")
    # Enter takes the highlighted (first) mode, and the first is the everyday one.
    assert term.answered("Running mode:").startswith("AUTO_STOP")
    term.send(BACKSPACE * 4 + "120" + ENTER)
    term.wait_for(r"Wait until they are AVAILABLE\? \(Y/n\)")
    term.send("n")
    return directory, users


def test_interactive_create_asks_everything_then_creates(terminal):
    seed = sb.reset(*FAST)
    bundle = sb.bundle_id(seed)
    term = terminal("--sandbox", "create", "-o", "json")
    directory, users = answer_create_questions(term, seed, bundle)
    term.wait_for(r"Create 2 WorkSpaces in the SANDBOX\? \(Y/n\)")
    assert "About to create 2 WorkSpaces in " + directory + " from " + bundle in " ".join(term.screen.split())
    term.send(ENTER)  # the default is Yes
    assert term.finish() == 0, term.screen[-2000:]

    created = {w["UserName"]: w for w in workspaces_in(directory, at_least=2)}
    assert sorted(created) == sorted(users)
    for workspace in created.values():
        assert workspace["BundleId"] == bundle
        assert workspace["WorkspaceProperties"]["RunningMode"] == "AUTO_STOP"
        assert workspace["WorkspaceProperties"]["RunningModeAutoStopTimeoutInMinutes"] == 120
    # stdout held the data and nothing else: no question, no escape sequence.
    result = json.loads(term.stdout)
    assert sorted(w["UserName"] for w in result["PendingRequests"]) == sorted(users)
    assert sb.counts().get("CreateWorkspaces") == 1


def test_ctrl_c_at_the_confirmation_exits_130_and_sends_nothing(terminal):
    seed = sb.reset(*FAST)
    term = terminal("--sandbox", "create", "-o", "json")
    directory, _ = answer_create_questions(term, seed, sb.bundle_id(seed))
    term.wait_for(r"Create 2 WorkSpaces in the SANDBOX\?")
    term.send(CTRL_C)
    assert term.finish() == 130
    assert "interrupted" in term.screen
    assert "CreateWorkspaces" not in sb.counts()
    assert workspaces_in(directory) == []
    assert term.stdout == ""


def test_ctrl_c_at_the_first_prompt_exits_130(terminal):
    sb.reset()
    term = terminal("--sandbox", "create")
    term.wait_for(r"Directory:")
    term.send(CTRL_C)
    assert term.finish() == 130
    assert set(sb.counts()) <= {"DescribeWorkspaceDirectories"}
    assert term.stdout == ""


def test_a_list_longer_than_the_terminal_scrolls_and_is_fetched_once(terminal):
    seed = sb.reset()
    pages = sb.client().get_paginator("describe_workspace_bundles")
    listed = [b for owner in ({}, {"Owner": "AMAZON"}) for page in pages.paginate(**owner) for b in page["Bundles"]]
    assert len(listed) > 12
    before = sb.counts()
    term = terminal("--sandbox", "create", "--dry-run", "-o", "json", lines=12)
    term.wait_for(r"Directory:")
    term.send(ENTER)
    term.wait_for(r"Bundle:")
    term.send("\x1b[A")  # Up from the first entry: the last one, far below the 12-line screen
    term.wait_for(re.escape(listed[-1]["BundleId"]))
    term.send("\x1b[A" + ENTER)
    term.wait_for(r"User names")
    assert term.answered("Bundle:").startswith(listed[-2]["BundleId"])
    directory = term.answered("Directory:").split()[0]
    term.send(users_of(seed, directory, 1)[0] + ENTER)
    term.wait_for(r"Running mode:")
    term.send(DOWN + ENTER)  # ALWAYS_ON: no timeout to ask
    assert term.finish() == 0, term.screen[-2000:]
    plan = json.loads(term.stdout)
    assert [r["BundleId"] for r in plan["Requests"]] == [listed[-2]["BundleId"]]
    counts = sb.counts()
    assert counts["DescribeWorkspaceDirectories"] - before.get("DescribeWorkspaceDirectories", 0) == 1
    assert "CreateWorkspaces" not in counts


def test_interactive_set_mode_picks_the_highlighted_workspace_and_a_mode(terminal):
    seed = sb.reset(*FAST)
    directories = [d["DirectoryId"] for d in seed["Directories"]]
    for directory in directories:  # whichever directory is highlighted first has WorkSpaces to pick
        flags = [a for u in users_of(seed, directory, 2) for a in ("--user", u)]
        made = wsctl(
            "--sandbox", "create", "--directory-id", directory, "--bundle-id", sb.bundle_id(seed), *flags, "--yes"
        )
        assert made.exit_code == 0, made.stderr
    before = running_modes(directories)
    assert len(before) == 4 and set(before.values()) == {"AUTO_STOP"}

    term = terminal("--sandbox", "set-mode", "-o", "json")
    term.wait_for(r"Directory:")
    term.send(ENTER)
    term.wait_for(r"WorkSpaces:")
    term.send(ENTER)  # nothing marked: Enter takes the highlighted WorkSpace
    term.wait_for(r"Running mode:")
    picked = re.findall(r"ws-[0-9a-z]{9}", term.answered("WorkSpaces:"))
    assert len(picked) == 1 and picked[0] in before
    term.send(DOWN + ENTER)
    assert term.finish() == 0, term.screen[-2000:]
    assert term.answered("Running mode:").startswith("ALWAYS_ON")

    deadline = time.monotonic() + 10  # the change shows once the service has applied it
    while running_modes(directories)[picked[0]] != "ALWAYS_ON" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running_modes(directories) == {**before, picked[0]: "ALWAYS_ON"}
    assert json.loads(term.stdout)  # data only


def test_interactive_import_image_explains_each_process(terminal):
    seed = sb.reset()
    ami = sb.ami_id(seed)
    term = terminal("--sandbox", "import-image", "-o", "json")
    term.wait_for(r"EC2 image \(ami-\.\.\.\):")
    term.send(ami + ENTER)
    term.wait_for(r"Ingestion process:")
    term.wait_for(r"BYOL_REGULAR_BYOP  \(bring your own protocol")  # each choice says what it is for
    term.send(ENTER)
    term.wait_for(r"Image name:")
    process = term.answered("Ingestion process:").split()[0]
    term.send("golden-1" + ENTER)
    term.wait_for(r"Description:")
    term.send("Golden image" + ENTER)
    assert term.finish() == 0, term.screen[-2000:]
    images = sb.client().describe_workspace_images(ImageType="OWNED")["Images"]
    image = next(i for i in images if i["Name"] == "golden-1")
    assert image["Description"] == "Golden image"
    assert image["ImageId"] in term.stdout
    assert sb.counts().get("ImportWorkspaceImage") == 1
    offered = re.findall(r"(BYOL_\w+)  \(", term.screen)
    assert process == offered[0]  # Enter took the highlighted, first choice
    assert set(offered) == set(modeldata.enum_values(modeldata.INGESTION_PROCESS))


# --- no terminal, or --no-input: exit 2 naming every missing flag, nothing sent -------------------

MISSING = [
    (("create",), "missing --directory-id, --bundle-id, --user"),
    (("create", "--user", "alice"), "missing --directory-id, --bundle-id"),
    (("create", "--directory-id", "d-1234567890", "--user", "alice"), "missing --bundle-id"),
    (("set-mode",), "missing targets (IDs, -, --directory-id, --bundle-id or -f), --running-mode"),
    (("set-mode", "ws-0123abcd9"), "missing --running-mode"),
    (("import-image",), "missing --ec2-image-id, --ingestion-process, --name, --description"),
    (("import-image", "--name", "x", "--description", "y"), "missing --ec2-image-id, --ingestion-process"),
]


@pytest.mark.parametrize(("args", "message"), MISSING, ids=[" ".join(a) for a, _ in MISSING])
def test_without_a_terminal_every_missing_flag_is_named(args, message):
    sb.reset()
    run = wsctl("--sandbox", *args)
    assert run.exit_code == 2
    assert f"error: {message}" in run.stderr
    assert run.stdout == ""
    assert sb.counts() == {}


@pytest.mark.parametrize("how", ["flag", "global flag", "environment"])
@pytest.mark.parametrize(
    ("args", "message"), [MISSING[0], MISSING[3], MISSING[5]], ids=["create", "set-mode", "import"]
)
def test_no_input_on_a_terminal_never_asks(terminal, args, message, how):
    sb.reset()
    if how == "flag":
        term = terminal("--sandbox", *args, "--no-input")
    elif how == "global flag":
        term = terminal("--sandbox", "--no-input", *args)
    else:
        term = terminal("--sandbox", *args, env={"WSCTL_NO_INPUT": "1"})
    assert term.finish() == 2
    assert f"error: {message}" in term.screen
    assert "?" not in term.screen.split("error:")[0]  # no question was drawn first
    assert sb.counts() == {}


def test_set_mode_asks_on_a_terminal_for_more_than_one_target_and_no_sends_nothing(terminal):
    seed = sb.reset(*FAST)
    made = wsctl(
        *sb.create_args(seed, "user0001", "user0002"),
        "--yes",
        "--wait",
        "--poll-interval",
        "0.05",
        "-o",
        "ids",
    )
    ids = made.stdout.split()
    assert made.exit_code == 0 and len(ids) == 2
    declined = terminal("--sandbox", "set-mode", *ids, "--running-mode", "ALWAYS_ON")
    declined.wait_for(r"About to change 2 WorkSpaces \(2x AUTO_STOP \(60m\) -> ALWAYS_ON\)")
    declined.wait_for(r"Change 2 WorkSpaces in the SANDBOX\?")
    declined.send("n")
    assert declined.finish() == 1
    assert "Cancelled; nothing was sent." in declined.screen
    assert sb.counts().get("ModifyWorkspaceProperties", 0) == 0
    accepted = terminal("--sandbox", "set-mode", *ids, "--running-mode", "ALWAYS_ON")
    accepted.wait_for(r"Change 2 WorkSpaces in the SANDBOX\?")
    accepted.send(ENTER)  # the default is Yes
    assert accepted.finish() == 0
    assert sb.counts()["ModifyWorkspaceProperties"] == 2


def test_terminate_on_a_terminal_asks_for_the_count_typed_even_for_one(terminal):
    _, ids = sb.make_fleet(1)
    wrong = terminal("--sandbox", "terminate", ids[0])
    wrong.wait_for(r"This destroys each WorkSpace and its user's data for good")
    wrong.wait_for(r"Type 1 to confirm:")
    wrong.send("yes" + ENTER)
    assert wrong.finish() == 1
    assert "Cancelled; nothing was sent." in wrong.screen
    assert "TerminateWorkspaces" not in sb.counts()

    right = terminal("--sandbox", "terminate", ids[0], "-o", "ids")
    right.wait_for(r"Type 1 to confirm:")
    right.send("1" + ENTER)
    assert right.finish() == 0
    assert right.stdout == f"{ids[0]}\n"
    assert sb.counts()["TerminateWorkspaces"] == 1
