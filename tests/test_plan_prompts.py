"""apply asks on a terminal as every changing command does; --prune asks for the count typed."""

from __future__ import annotations

import json

from tests import sandbox_support as sb
from tests.pty_support_interactive import ENTER
from tests.test_plan_cli import fleet_yaml
from tests.test_prompts import terminal

__all__ = ["terminal"]  # the fixture, used by name


def test_prune_on_a_terminal_asks_for_the_count_typed(terminal, tmp_path):
    seed, ids = sb.make_fleet(3)
    directory = sb.primary_directory(seed)["DirectoryId"]
    path = fleet_yaml(tmp_path / "f.yaml", directory, sb.bundle_id(seed), ["user0001"])
    wrong = terminal("--sandbox", "apply", "-f", path, "--prune")
    wrong.wait_for(r"- terminate ws-\w+ user0002")
    wrong.wait_for(r"About to change 1 WorkSpace, terminate 2 WorkSpaces in the SANDBOX \(")
    wrong.wait_for(r"Terminate 2 WorkSpaces and apply the rest \(1 more\) in the SANDBOX\? .* Type 2 to confirm:")
    wrong.send("y" + ENTER)
    assert wrong.finish() == 1
    assert "Cancelled; nothing was sent." in wrong.screen
    assert "TerminateWorkspaces" not in sb.counts() and "CreateTags" not in sb.counts()

    right = terminal("--sandbox", "apply", "-f", path, "--prune", "-o", "json")
    right.wait_for(r"Type 2 to confirm:")
    right.send("2" + ENTER)
    assert right.finish() == 0
    assert sorted(json.loads(right.stdout)["Terminated"]) == sorted(ids[1:])


def test_more_than_one_change_asks_yes_or_no(terminal, tmp_path):
    seed, _ = sb.make_fleet(2)
    directory = sb.primary_directory(seed)["DirectoryId"]
    path = fleet_yaml(tmp_path / "f.yaml", directory, sb.bundle_id(seed), ["user0001", "user0002"])
    asked = terminal("--sandbox", "apply", "-f", path)
    asked.wait_for(r"About to change 2 WorkSpaces in the SANDBOX \(.*\) for user0001, user0002\.")
    asked.wait_for(r"Apply the plan to 2 WorkSpaces in the SANDBOX\?")
    asked.send(ENTER)  # the default is Yes
    assert asked.finish() == 0
    assert sb.counts()["CreateTags"] == 2
