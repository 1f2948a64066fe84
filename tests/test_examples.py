"""The files in examples/ do what their comments say, on a fresh sandbox."""

from __future__ import annotations

from pathlib import Path

from tests import sandbox_support as sb
from tests.helpers import wsctl
from wsctl.input.targets import read_target_file

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_fleet_yaml_creates_and_settles_on_a_fresh_sandbox():
    sb.reset("--time-scale", "0.02")
    run = wsctl(
        "--sandbox",
        "create",
        "-f",
        str(EXAMPLES / "fleet.yaml"),
        "--yes",
        "--wait",
        "--poll-interval",
        "0.05",
        "-o",
        "json",
    )
    assert run.exit_code == 0, run.stderr
    finals = {w["UserName"]: w for w in run.json()["Workspaces"]}
    assert sorted(finals) == [f"user{i:04d}" for i in range(1, 9)]
    assert {w["State"] for w in finals.values()} == {"AVAILABLE"}
    assert finals["user0006"]["WorkspaceProperties"]["RunningMode"] == "ALWAYS_ON"
    assert finals["user0007"]["WorkspaceProperties"]["ComputeTypeName"] == "POWER"


def test_users_csv_with_the_directory_and_bundle_from_flags():
    seed = sb.reset("--time-scale", "0.02")
    run = wsctl(
        "--sandbox",
        "create",
        "-f",
        str(EXAMPLES / "users.csv"),
        "--directory-id",
        sb.primary_directory(seed)["DirectoryId"],
        "--bundle-id",
        sb.bundle_id(seed),
        "--yes",
        "-o",
        "json",
    )
    assert run.exit_code == 0, run.stderr
    assert sorted(w["UserName"] for w in run.json()["PendingRequests"]) == [
        "user0011",
        "user0012",
        "user0013",
        "user0014",
    ]


def test_cli_input_yaml_in_the_aws_form():
    sb.reset("--time-scale", "0.02")
    run = wsctl("--sandbox", "create", "-f", str(EXAMPLES / "cli-input.yaml"), "--yes", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert sorted(w["UserName"] for w in run.json()["PendingRequests"]) == ["branch01", "branch02"]


def test_set_mode_examples_read_cleanly():
    for name in ("modes.yaml", "modes.csv"):
        loaded = read_target_file(
            str(EXAMPLES / "set-mode" / name), {"running_mode", "auto_stop_timeout"}, {"auto_stop_timeout"}
        )
        assert loaded.problems == []
        values = {t.workspace_id: t.values for t in loaded.targets}
        assert values["ws-0123abcd9"] == {"running_mode": "AUTO_STOP", "auto_stop_timeout": 120}
        assert values["ws-0123abcd8"]["running_mode"] == "ALWAYS_ON"
