"""`wsctl sandbox reset` and `wsctl sandbox info` as a user runs them, and `--sandbox` with no AWS setup."""

from __future__ import annotations

import re

import pytest
import yaml

from tests import sandbox_support as sb
from tests.helpers import wsctl
from wsctl.sandbox.seed import FAULT_USERS


def test_info_json_has_the_seed_counters_and_settings():
    run = wsctl("sandbox", "info", "-o", "json")
    assert run.exit_code == 0, run.stderr
    info = run.json()
    assert {"Directories", "Bundles", "Ec2Images", "Requests", "Settings"} <= set(info)
    for d in info["Directories"]:
        assert re.match(r"\Ad-[0-9a-f]{10}\Z", d["DirectoryId"]) and d["DirectoryName"] and d["UserNames"]
    primary = sb.primary_directory(info)
    assert primary["UserNames"] == [f"user{n:04d}" for n in range(1, 51)]
    # The users that inject failures, apart: name -> what it makes happen.
    assert primary["FaultUsers"] == FAULT_USERS
    assert len(sb.second_directory(info)["UserNames"]) == 10
    assert sb.second_directory(info)["FaultUsers"] == {}
    assert info["Settings"]["Users"] == len(info["Directories"][0]["UserNames"]) == 50
    for b in info["Bundles"]:
        assert re.match(r"\Awsb-[0-9a-z]{9}\Z", b["BundleId"]) and b["Name"]
        assert isinstance(b["ComputeType"], str)
    assert [b["Owner"] != "AMAZON" for b in info["Bundles"] if b["SandboxOutcome"] == "ERROR"] == [True]
    assert {b["ComputeType"] for b in info["Bundles"]} >= {"VALUE", "STANDARD", "PERFORMANCE", "POWER", "POWERPRO"}
    assert len([a for a in info["Ec2Images"] if a["SandboxOutcome"] == "ERROR"]) == 1
    for a in info["Ec2Images"]:
        assert re.match(r"\Aami-([a-f0-9]{8}|[a-f0-9]{17})\Z", a["ImageId"])
    assert info["Requests"] == {}
    settings = info["Settings"]
    assert settings["TimeScale"] == 1.0 and settings["RateLimit"] is None and settings["Core"] is True
    assert settings["ImageLimit"] == 40 and settings["Seed"] == 0
    assert settings["ThrottleRate"] == settings["ServerErrorRate"] == settings["LostResponseRate"] == 0.0
    assert settings["Database"].endswith("sandbox.sqlite3")


def test_reset_options_show_in_info():
    run = wsctl(
        "sandbox",
        "reset",
        "--users",
        "7",
        "--time-scale",
        "0.1",
        "--rate-limit",
        "2",
        "--burst",
        "5",
        "--throttle-rate",
        "0.1",
        "--server-error-rate",
        "0.2",
        "--lost-response-rate",
        "0.3",
        "--seed",
        "42",
        "--no-core",
        "--image-limit",
        "9",
    )
    assert run.exit_code == 0, run.stderr
    assert run.stdout == ""
    assert "sandbox.sqlite3" in run.stderr
    info = wsctl("sandbox", "info", "-o", "json").json()
    assert info["Settings"] == {
        **info["Settings"],
        "TimeScale": 0.1,
        "RateLimit": 2.0,
        "Burst": 5,
        "ThrottleRate": 0.1,
        "ServerErrorRate": 0.2,
        "LostResponseRate": 0.3,
        "Seed": 42,
        "Core": False,
        "ImageLimit": 9,
        "Users": 7,
    }
    assert len(sb.primary_directory(info)["UserNames"]) == info["Settings"]["Users"] == 7


def test_info_yaml_matches_json():
    assert (
        yaml.safe_load(wsctl("sandbox", "info", "-o", "yaml").stdout) == wsctl("sandbox", "info", "-o", "json").json()
    )


def test_info_table_says_sandbox_on_every_table(monkeypatch):
    seed = sb.reset("--users", "3")
    sb.client().describe_workspaces()
    run = wsctl("sandbox", "info")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.count("SANDBOX - simulated WorkSpaces, not AWS") == 6
    for title in ("Directories", "Bundles", "EC2 images to import", "Usage profiles", "Requests received", "Settings"):
        assert title in run.stdout
    assert sb.primary_directory(seed)["DirectoryId"] in run.stdout
    assert sb.failing_bundle_id(seed) in run.stdout
    assert re.search(r"DescribeWorkspaces\s*│\s*1\b", run.stdout)
    # The fault users in a column of their own, with what each makes happen; Users counts the others.
    directories = run.stdout.split("Bundles")[0]
    assert "FaultUsers" in directories
    assert re.search(r"│\s*3\s*│\s*user0001, user0002, user0003\s*│\s*sandbox-\S+: [A-Z_]+", directories)
    assert "sandbox-update-fails: UPDATE_FAILED" in directories


def test_fault_users_come_from_the_seeds_table_so_new_ones_show_up(monkeypatch):
    from wsctl.sandbox import seed

    monkeypatch.setitem(seed.FAULT_USERS, "sandbox-stop-fails", "STOP_FAILED")
    info = sb.reset("--users", "2")
    primary = sb.primary_directory(info)
    assert primary["FaultUsers"] == {**FAULT_USERS, "sandbox-stop-fails": "STOP_FAILED"}
    assert primary["UserNames"] == ["user0001", "user0002"] == primary["UserNames"][: info["Settings"]["Users"]]
    run = wsctl("sandbox", "reset", "--users", "2")
    assert f"2 directories (12 users, and {len(seed.FAULT_USERS)} users that inject failures" in run.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("sandbox", "info", "-o", "ids"), "no IDs-only output"),
        (("sandbox", "reset", "--burst", "3"), "--burst applies only with --rate-limit"),
        (("sandbox", "reset", "--throttle-rate", "1.5"), "--throttle-rate"),
        (("sandbox", "reset", "--time-scale", "-1"), "--time-scale"),
        (("sandbox", "reset", "--users", "x"), "--users"),
    ],
)
def test_usage_errors_exit_2(args, message):
    run = wsctl(*args)
    assert run.exit_code == 2
    assert message in run.stderr
    assert run.stdout == ""


def test_sandbox_needs_no_aws_configuration_and_never_uses_the_users_keys(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    run = wsctl("--sandbox", "describe", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json() == {"Workspaces": []}
    (tmp_path / "home" / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAUSERSREALKEY0000\naws_secret_access_key = secret\n"
    )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUSERSENVKEY00000")
    c = sb.client()
    seen = []
    c.meta.events.register_first("before-send.workspaces", lambda request, **_: seen.append(request.headers))
    c.describe_workspaces()
    auth = seen[0]["Authorization"]
    auth = auth.decode() if isinstance(auth, bytes) else auth
    assert "AKIASANDBOXWSCTL0000" in auth
    assert "AKIAUSERSREALKEY0000" not in auth and "AKIAUSERSENVKEY00000" not in auth


def test_sandbox_ignores_a_missing_aws_profile(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    run = wsctl("--sandbox", "describe", "-o", "json")
    assert run.exit_code == 0, run.stderr


def test_sandbox_from_the_environment_variable():
    run = wsctl("describe", "-o", "json", env={"WSCTL_SANDBOX": "1"})
    assert run.exit_code == 0, run.stderr
    assert sb.counts() == {"DescribeWorkspaces": 1}


def test_sandbox_help_lists_the_three_commands():
    run = wsctl("sandbox", "--help")
    assert run.exit_code == 0
    for command in ("reset", "info", "serve"):
        assert command in run.stdout


def test_a_file_that_is_not_a_database_is_named_and_only_reset_force_replaces_it(tmp_path, monkeypatch):
    bad = tmp_path / "not-a-db.sqlite3"
    bad.write_text("this is not SQLite\n" * 100)
    monkeypatch.setenv("WSCTL_SANDBOX_DB", str(bad))
    run = wsctl("--sandbox", "describe")
    assert run.exit_code == 1
    assert f"the sandbox database {bad} is not an SQLite database" in run.stderr
    assert "wsctl sandbox reset --force" in run.stderr and "Traceback" not in run.stderr
    refused = wsctl("sandbox", "reset")
    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert bad.read_text() == "this is not SQLite\n" * 100
    fixed = wsctl("sandbox", "reset", "--force", "-o", "json")
    assert fixed.exit_code == 0, fixed.stderr
    assert "replaced it with a new sandbox" in fixed.stderr
    assert fixed.json()["Directories"]  # reset -o json prints what info prints
    assert wsctl("--sandbox", "describe").exit_code == 0


def test_sandbox_commands_take_the_global_options_after_them():
    assert wsctl("sandbox", "info", "--debug", "-o", "json").exit_code == 0
    assert wsctl("sandbox", "reset", "--debug", "-o", "yaml").exit_code == 0
