"""The pieces of the interactive `create`: the filtering list, the checks as typed, remembered choices,
the users found at once, the equivalent command. Keys go in through prompt_toolkit's pipe input."""

from __future__ import annotations

import io
import json
import os
import shlex
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from tests import sandbox_support as sb
from wsctl.cli import interactive_create as ic
from wsctl.cli import prompts
from wsctl.context import AppContext
from wsctl.input import remembered
from wsctl.input.batch import FlagValues
from wsctl.ops.existing import existing_note
from wsctl.options import GlobalOptions, OutputFormat

ENTER = "\r"
BACKSPACE = "\x7f"
DOWN = "\x1b[B"


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Send keys to the next question (drawn nowhere)."""
    monkeypatch.setattr(prompts, "_terminal_output", DummyOutput)
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield pipe.send_text


def choices(*titles: str) -> list[Any]:
    return [ic._choice(title, title.split()[0]) for title in titles]


FRUIT = choices("apple red", "banana yellow", "cherry red", "date brown")


# --- the filtering list ------------------------------------------------------------------------


def test_typing_filters_and_enter_takes_the_first_match(keys: Any) -> None:
    keys("yel" + ENTER)
    assert ic._select("Fruit:", FRUIT, search=True) == "banana"


def test_down_moves_within_the_filtered_list(keys: Any) -> None:
    keys("red" + DOWN + ENTER)
    assert ic._select("Fruit:", FRUIT, search=True) == "cherry"


def test_enter_with_no_match_takes_nothing_and_backspace_brings_the_list_back(keys: Any) -> None:
    # "redx" matches nothing: Enter does nothing (questionary would take "apple", which was filtered out).
    keys("redx" + ENTER + BACKSPACE + DOWN + ENTER)
    assert ic._select("Fruit:", FRUIT, search=True) == "cherry"


def test_without_search_letters_type_nothing(keys: Any) -> None:
    keys("zzz" + DOWN + ENTER)
    assert ic._select("Fruit:", FRUIT) == "banana"


def test_the_list_and_filter_line_say_what_matches() -> None:
    control = ic._filtering_control()(FRUIT, use_indicator=False)
    assert control.get_search_string_tokens() is None
    for character in "red":
        control.add_search_character(character)
    shown = "".join(text for _, text in control._get_choice_tokens())
    assert "apple red" in shown and "cherry red" in shown and "banana" not in shown
    assert "".join(text for _, text in control.get_search_string_tokens()) == "\n/ red...  (2 of 4)"
    control.add_search_character("x")
    assert "".join(text for _, text in control._get_choice_tokens()) == (
        "  no match for 'redx' (Backspace changes the filter)"
    )
    assert "".join(text for _, text in control.get_search_string_tokens()) == "\n/ redx...  (0 of 4)"
    control.select_next()  # with nothing listed, moving does nothing (and does not divide by zero)
    control.select_previous()


def test_the_last_used_comes_first_marked_after_its_id() -> None:
    titled = [("d-1  one  (SIMPLE_AD)", "d-1"), ("d-2  two  (SIMPLE_AD)", "d-2")]
    assert [c.title for c in ic._last_first(titled, "d-2")] == [
        "d-2 (last used)  two  (SIMPLE_AD)",
        "d-1  one  (SIMPLE_AD)",
    ]
    assert [c.title for c in ic._last_first(titled, "d-9")] == [t for t, _ in titled]  # gone: ignored
    assert [c.title for c in ic._last_first(titled, None)] == [t for t, _ in titled]


# --- checks as typed ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "enter at least one user name"),
        (" , ", "enter at least one user name"),
        ("alice " + "b" * 64, "user name 'bbbbbbbbbbbb...' is 64 characters long; at most 63 allowed"),
        ("a\u200bb", "user name 'a\\u200bb' contains the invisible character U+200B"),
        ("[UNDEFINED]", "[UNDEFINED] (a WorkSpace without a user) needs a workspace_name"),
        ("alice, bob carol", None),
        ("b" * 63, None),
    ],
)
def test_user_names_are_checked_against_the_model(text: str, message: str | None) -> None:
    problem = ic.user_names_problem(text)
    if message is None:
        assert problem is None
    else:
        assert problem is not None and problem.startswith(message)


def test_user_names_split_on_spaces_and_commas_without_repeats() -> None:
    assert ic.split_user_names("alice,bob  Alice, carol,,bob") == ["alice", "bob", "carol"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("90", "90 minutes is not a multiple of 60 (try 60 or 120)"),
        ("0", "0 minutes is not a multiple of 60 (try 60 or 120)"),
        ("150", "150 minutes is not a multiple of 60 (try 120 or 180)"),
        ("", "enter a number of minutes: a multiple of 60 (60, 120, ...)"),
        ("1h", "'1h' is not a number of minutes: a multiple of 60 (60, 120, ...)"),
        ("-60", "'-60' is not a number of minutes: a multiple of 60 (60, 120, ...)"),
        ("\u0661\u0662\u0660", "'١٢٠' is not a number of minutes"),  # digits, but not ASCII ones
        ("120", None),
        (" 60 ", None),
    ],
)
def test_the_auto_stop_timeout_is_checked_against_the_rules(text: str, message: str | None) -> None:
    problem = ic.auto_stop_timeout_problem(text)
    if message is None:
        assert problem is None
    else:
        assert problem is not None and problem.startswith(message)


def test_a_rejected_user_name_is_not_taken_until_it_is_fixed(keys: Any) -> None:
    keys("a" * 64 + ENTER + BACKSPACE + ENTER)
    assert ic.ask_user_names() == ["a" * 63]


def test_a_rejected_timeout_is_not_taken_until_it_is_fixed(keys: Any) -> None:
    keys(BACKSPACE * 2 + "90" + ENTER + BACKSPACE * 2 + "180" + ENTER)
    assert ic.ask_auto_stop_timeout() == 180


@pytest.mark.parametrize(("answer", "expected"), [(ENTER, True), ("n", False)])
def test_wait_is_offered_default_yes(keys: Any, answer: str, expected: bool) -> None:
    keys(answer)
    assert ic.ask_wait(2) is expected


# --- remembered choices ------------------------------------------------------------------------


def test_remembered_choices_round_trip_per_scope_privately() -> None:
    assert remembered.recall("sandbox") == {}
    remembered.remember("sandbox", {"directory_id": "d-1", "bundle_id": "wsb-1"})
    remembered.remember("profile=p region=r endpoint=", {"directory_id": "d-2"})
    assert remembered.recall("sandbox") == {"directory_id": "d-1", "bundle_id": "wsb-1"}
    assert remembered.recall("profile=p region=r endpoint=") == {"directory_id": "d-2"}
    path = remembered.choices_path()
    assert path.parent.name == "wsctl" and path.parent.parent == Path(os.environ["XDG_STATE_HOME"])
    assert os.stat(path.parent).st_mode & 0o777 == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    assert json.loads(path.read_text())["version"] == remembered.VERSION


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\xff\xfe", b"[]", b'{"version": 99, "scopes": {}}', b'{"version": 1, "scopes": {"sandbox": 3}}'],
)
def test_a_corrupt_file_reads_as_nothing_and_is_replaced(content: bytes) -> None:
    path = remembered.choices_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert remembered.recall("sandbox") == {}
    remembered.remember("sandbox", {"bundle_id": "wsb-1"})
    assert remembered.recall("sandbox") == {"bundle_id": "wsb-1"}


def test_only_the_most_recent_scopes_are_kept() -> None:
    for n in range(remembered.MAX_SCOPES + 3):
        remembered.remember(f"scope {n}", {"directory_id": f"d-{n}"})
    remembered.remember("scope 1", {"directory_id": "d-again"})  # used again: kept
    scopes = json.loads(remembered.choices_path().read_text())["scopes"]
    assert len(scopes) == remembered.MAX_SCOPES
    assert "scope 0" not in scopes and "scope 2" not in scopes and scopes["scope 1"] == {"directory_id": "d-again"}


def test_a_state_folder_that_cannot_be_written_warns_and_goes_on(tmp_path: Path) -> None:
    Path(os.environ["XDG_STATE_HOME"]).write_text("a file where the folder should be")
    app, stderr = sandbox_app()
    ic._remember(app, "sandbox", {"directory_id": "d-1"})
    assert "warning: could not remember the choices in " in stderr.getvalue()
    assert remembered.recall("sandbox") == {}


# --- the whole set of questions, each answer given ------------------------------------------------


def sandbox_app(output: OutputFormat = OutputFormat.table) -> tuple[AppContext, io.StringIO]:
    stderr = io.StringIO()
    return AppContext(GlobalOptions(sandbox=True, output=output), stderr=stderr), stderr


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Every question answered without a terminal; `asked` lists what was asked."""
    seed = sb.reset()
    directory = sb.primary_directory(seed)
    given: dict[str, Any] = {
        "seed": seed,
        "directory": directory["DirectoryId"],
        "bundle": sb.bundle_id(seed),
        "users": [u for u in directory["UserNames"] if not u.startswith("sandbox-")][:3],
        "asked": [],
        "last": [],
    }

    def answer(name: str, value: Any) -> Any:
        def ask(*args: Any) -> Any:
            given["asked"].append(name)
            if name in ("directory", "bundle"):
                given["last"].append(args[1])
            return value() if callable(value) else value

        return ask

    monkeypatch.setattr(ic, "pick_directory", answer("directory", given["directory"]))
    monkeypatch.setattr(ic, "pick_bundle", answer("bundle", given["bundle"]))
    monkeypatch.setattr(ic, "ask_user_names", answer("users", lambda: list(given["users"])))
    monkeypatch.setattr(ic, "pick_running_mode", answer("mode", "AUTO_STOP"))
    monkeypatch.setattr(ic, "ask_auto_stop_timeout", answer("timeout", 120))
    monkeypatch.setattr(ic, "ask_wait", answer("wait", True))
    return given


def test_the_picks_are_remembered_and_offered_next_time(answered: dict[str, Any]) -> None:
    app, _ = sandbox_app()
    answers = ic.ask_create_flags(app, FlagValues())
    assert answered["asked"] == ["directory", "bundle", "users", "mode", "timeout", "wait"]
    assert answers.wait and not answers.existing and answers.flags.asked
    assert remembered.recall("sandbox") == {"directory_id": answered["directory"], "bundle_id": answered["bundle"]}
    assert answered["last"] == [None, None]
    ic.ask_create_flags(app, FlagValues())
    assert answered["last"][2:] == [answered["directory"], answered["bundle"]]


def test_a_dry_run_remembers_nothing_and_offers_no_wait(answered: dict[str, Any]) -> None:
    app, _ = sandbox_app()
    answers = ic.ask_create_flags(app, FlagValues(), dry_run=True)
    assert "wait" not in answered["asked"] and not answers.wait
    assert remembered.recall("sandbox") == {}
    assert not remembered.choices_path().exists()


def test_a_flag_given_is_not_asked_and_wait_given_is_not_offered(answered: dict[str, Any]) -> None:
    app, _ = sandbox_app()
    flags = FlagValues(directory_id=answered["directory"], running_mode="ALWAYS_ON")
    answers = ic.ask_create_flags(app, flags, wait=True)
    assert answered["asked"] == ["bundle", "users"]
    assert answers.wait
    assert remembered.recall("sandbox") == {"bundle_id": answered["bundle"]}  # only what was picked


def created(answered: dict[str, Any], users: list[str]) -> list[str]:
    """Create WorkSpaces for `users`; their IDs, once a lookup sees them (new ones show up late)."""
    client = sb.client()
    made = client.create_workspaces(
        Workspaces=[
            {"DirectoryId": answered["directory"], "UserName": u, "BundleId": answered["bundle"]} for u in users
        ]
    )
    ids = [w["WorkspaceId"] for w in made["PendingRequests"]]
    assert len(ids) == len(users), made["FailedRequests"]
    deadline = time.monotonic() + 10
    while len(client.describe_workspaces(WorkspaceIds=ids)["Workspaces"]) < len(ids):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return ids


def test_users_who_have_a_workspace_are_named_at_once(answered: dict[str, Any]) -> None:
    had = answered["users"][1]
    (workspace_id,) = created(answered, [had])
    app, stderr = sandbox_app()
    answers = ic.ask_create_flags(app, FlagValues())
    assert [w["WorkspaceId"] for w in answers.existing] == [workspace_id]
    assert not answers.nothing_to_create
    assert stderr.getvalue().splitlines() == [
        f"{had} already has {workspace_id} (PENDING); skipped",
        f"1 user already has a WorkSpace in {answered['directory']}; 2 WorkSpaces to create.",
    ]
    assert answered["asked"][-3:] == ["mode", "timeout", "wait"]


def test_when_every_user_has_one_nothing_more_is_asked(answered: dict[str, Any]) -> None:
    created(answered, answered["users"])
    app, stderr = sandbox_app()
    answers = ic.ask_create_flags(app, FlagValues())
    assert answers.nothing_to_create and len(answers.existing) == 3
    assert answered["asked"] == ["directory", "bundle", "users"]
    assert stderr.getvalue().splitlines()[-1] == (
        f"Nothing to create: all 3 users already have a WorkSpace in {answered['directory']}."
    )


@pytest.mark.parametrize(
    ("existing", "users", "last"),
    [
        (1, 1, "Nothing to create: the user already has a WorkSpace in d-1."),
        (3, 3, "Nothing to create: all 3 users already have a WorkSpace in d-1."),
        (1, 3, "1 user already has a WorkSpace in d-1; 2 WorkSpaces to create."),
        (2, 3, "2 users already have a WorkSpace in d-1; 1 WorkSpace to create."),
    ],
)
def test_the_existing_note_counts_right(existing: int, users: int, last: str) -> None:
    found = [{"UserName": f"u{n}", "WorkspaceId": f"ws-{n}", "State": "AVAILABLE"} for n in range(existing)]
    lines = existing_note(found, users, "d-1")
    assert lines[-1] == last
    assert lines[0] == "u0 already has ws-0 (AVAILABLE)" + ("" if existing == users else "; skipped")
    assert len(lines) == existing + 1
    assert existing_note([], 2, "d-1") == []


# --- the equivalent command --------------------------------------------------------------------


def test_the_equivalent_command_holds_every_answer_quoted() -> None:
    app, _ = sandbox_app(OutputFormat.json)
    flags = FlagValues(
        directory_id="d-1",
        bundle_id="wsb-1",
        users=["alice", "o'brien"],
        running_mode="AUTO_STOP",
        auto_stop_timeout=60,
        root_volume_size=175,
        compute_type="POWER",
        encrypt_root=False,
        encrypt_user=True,
        volume_encryption_key="alias/my key",
        tags=[{"Key": "team", "Value": "data science"}],
    )
    command = ic.equivalent_command(app, flags, wait=True, dry_run=True, timeout=600.0, poll_interval=0.5)
    assert shlex.split(command) == [
        "wsctl", "--sandbox", "create", "--directory-id", "d-1", "--bundle-id", "wsb-1",
        "--user", "alice", "--user", "o'brien", "--running-mode", "AUTO_STOP", "--auto-stop-timeout", "60",
        "--root-volume-size", "175", "--compute-type", "POWER", "--volume-encryption-key", "alias/my key",
        "--no-encrypt-root", "--encrypt-user", "--tag", "team=data science",
        "--wait", "--timeout", "600", "--poll-interval", "0.5", "--dry-run", "-o", "json",
    ]  # fmt: skip


def test_the_equivalent_command_names_the_account_it_ran_against() -> None:
    app = AppContext(GlobalOptions(profile="prod admin", region="eu-west-1"))
    command = ic.equivalent_command(
        app, FlagValues(directory_id="d-1", bundle_id="wsb-1", users=["a"]), wait=False, dry_run=False
    )
    assert shlex.split(command) == [
        "wsctl", "--profile", "prod admin", "--region", "eu-west-1", "create",
        "--directory-id", "d-1", "--bundle-id", "wsb-1", "--user", "a",
    ]  # fmt: skip


def test_choices_are_remembered_per_account() -> None:
    assert ic.choice_scope(AppContext(GlobalOptions(sandbox=True))) == "sandbox"
    scope = ic.choice_scope(AppContext(GlobalOptions(profile="p", region="eu-west-1", endpoint_url="http://x")))
    assert scope == "profile=p region=eu-west-1 endpoint=http://x"
    assert (
        ic.choice_scope(AppContext(GlobalOptions(region="us-east-2"))) == "profile=default region=us-east-2 endpoint="
    )
