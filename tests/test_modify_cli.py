"""`wsctl set-mode` and `wsctl modify` end to end on the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import sandbox_support as sb
from tests.helpers import wsctl
from tests.sandbox_support import FAST, make_fleet


def describe(ids: list[str]) -> dict[str, dict]:
    run = wsctl("--sandbox", "describe", *[a for i in ids for a in ("--id", i)], "-o", "json")
    return {w["WorkspaceId"]: w for w in run.json()["Workspaces"]}


def test_five_workspaces_take_five_calls_and_a_repeat_takes_none():
    _, ids = make_fleet(5)
    before = sb.counts().get("ModifyWorkspaceProperties", 0)
    run = wsctl("--sandbox", "set-mode", *ids, "--running-mode", "ALWAYS_ON", "--yes", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert sorted(run.json()["Modified"]) == sorted(ids) and run.json()["Unchanged"] == []
    assert sb.counts()["ModifyWorkspaceProperties"] - before == 5
    again = wsctl("--sandbox", "set-mode", *ids, "--running-mode", "ALWAYS_ON", "--yes", "-o", "json")
    assert again.exit_code == 0
    assert again.json() == {"Modified": [], "Unchanged": ids, "FailedRequests": []}
    assert sb.counts()["ModifyWorkspaceProperties"] - before == 5
    assert {w["WorkspaceProperties"]["RunningMode"] for w in describe(ids).values()} == {"ALWAYS_ON"}


def test_targets_from_stdin_directory_bundle_and_files(tmp_path: Path):
    seed, ids = make_fleet(4)
    piped = wsctl("--sandbox", "describe", "-o", "ids").stdout
    run = wsctl("--sandbox", "set-mode", "-", "--running-mode", "ALWAYS_ON", "--yes", "-o", "json", input=piped)
    assert sorted(run.json()["Modified"]) == sorted(ids)
    directory = sb.primary_directory(seed)["DirectoryId"]
    run = wsctl(
        "--sandbox", "set-mode", "--directory-id", directory, "--running-mode", "AUTO_STOP", "--yes", "-o", "json"
    )
    assert sorted(run.json()["Modified"]) == sorted(ids)
    run = wsctl(
        "--sandbox",
        "set-mode",
        "--bundle-id",
        sb.bundle_id(seed),
        "--running-mode",
        "AUTO_STOP",
        "--auto-stop-timeout",
        "120",
        "--yes",
        "-o",
        "json",
    )
    assert sorted(run.json()["Modified"]) == sorted(ids)
    yaml_file = tmp_path / "modes.yaml"
    yaml_file.write_text(
        "defaults: {running_mode: AUTO_STOP}\nworkspaces:\n"
        f"  - {{workspace_id: {ids[0]}, auto_stop_timeout: 180}}\n"
        f"  - {{workspace_id: {ids[1]}, running_mode: ALWAYS_ON}}\n"
    )
    csv_file = tmp_path / "modes.csv"
    csv_file.write_text(f"workspace_id,running_mode,auto_stop_timeout\n{ids[2]},AUTO_STOP,240\n{ids[3]},ALWAYS_ON,\n")
    for path in (yaml_file, csv_file):
        run = wsctl("--sandbox", "set-mode", "-f", str(path), "--yes", "-o", "json")
        assert run.exit_code == 0, run.stderr
    now = {i: w["WorkspaceProperties"] for i, w in describe(ids).items()}
    assert now[ids[0]]["RunningModeAutoStopTimeoutInMinutes"] == 180
    assert now[ids[1]]["RunningMode"] == "ALWAYS_ON"
    assert now[ids[2]]["RunningModeAutoStopTimeoutInMinutes"] == 240
    assert now[ids[3]]["RunningMode"] == "ALWAYS_ON"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--running-mode", "ALWAYS_ON", "--auto-stop-timeout", "60"], "applies only to running mode AUTO_STOP"),
        (["--running-mode", "AUTO_STOP", "--auto-stop-timeout", "90"], "not a multiple of 60"),
        (["--running-mode", "ALWAYS-ON"], "did you mean ALWAYS_ON?"),
        (["--running-mode", "AUTO_STOP", "ws-doesnotexist1"], "no WorkSpace ws-doesnotexist1"),
        (["--running-mode", "AUTO_STOP", "not-an-id"], "'not-an-id' does not match"),
    ],
)
def test_rules_are_checked_before_sending(extra, expected):
    _, ids = make_fleet(2)
    before = sb.counts().get("ModifyWorkspaceProperties", 0)
    run = wsctl("--sandbox", "set-mode", *ids, *extra, "--yes")
    assert run.exit_code == 2, run.stderr
    assert expected in run.stderr
    assert sb.counts().get("ModifyWorkspaceProperties", 0) == before


def test_manual_warns_and_no_core_refuses_per_item():
    _, ids = make_fleet(2, extra=("--no-core",))
    run = wsctl("--sandbox", "set-mode", *ids, "--running-mode", "MANUAL", "--yes", "-o", "json")
    assert "MANUAL needs an Amazon WorkSpaces Core account" in run.stderr
    assert run.exit_code == 3
    assert {f["ErrorCode"] for f in run.json()["FailedRequests"]} == {"InvalidParameterValuesException"}


def test_confirmation_rule_without_a_terminal():
    _, ids = make_fleet(2)
    run = wsctl("--sandbox", "set-mode", *ids, "--running-mode", "ALWAYS_ON")
    assert run.exit_code == 2 and "--yes" in run.stderr
    assert sb.counts().get("ModifyWorkspaceProperties", 0) == 0
    one = wsctl("--sandbox", "set-mode", ids[0], "--running-mode", "ALWAYS_ON")
    assert one.exit_code == 0


def test_per_item_failures_exit_3_and_the_rest_goes_on():
    seed, ids = make_fleet(2)
    broken = wsctl(
        *sb.create_args(seed, "user0040", bundle=sb.failing_bundle_id(seed)),
        "--wait",
        "--poll-interval",
        "0.05",
        "-o",
        "json",
    )
    assert broken.exit_code == 3
    pending = broken.json()["PendingRequests"][0]["WorkspaceId"]
    # That one ended in ERROR: the service refuses to modify it (InvalidResourceStateException).
    run = wsctl("--sandbox", "set-mode", *ids, pending, "--running-mode", "ALWAYS_ON", "--yes", "-o", "json")
    assert run.exit_code == 3, run.stderr
    data = run.json()
    assert sorted(data["Modified"]) == sorted(ids)
    assert [(f["WorkspaceId"], f["ErrorCode"]) for f in data["FailedRequests"]] == [
        (pending, "InvalidResourceStateException")
    ]


def test_operation_in_progress_is_retried(monkeypatch):
    from wsctl.aws import modifies as modify_service

    monkeypatch.setattr(modify_service, "IN_PROGRESS_DELAYS", (0.1,) * 100)
    seed = sb.reset("--time-scale", "0.2")  # a compute change takes 0.8 s
    created = wsctl(
        *sb.create_args(seed, "user0001"),
        "--wait",
        "--poll-interval",
        "0.1",
        "-o",
        "ids",
    )
    ids = created.stdout.split()
    assert created.exit_code == 0 and len(ids) == 1
    started = wsctl("--sandbox", "modify", ids[0], "--compute-type", "PERFORMANCE")
    assert started.exit_code == 0, started.stderr
    run = wsctl("--sandbox", "set-mode", ids[0], "--running-mode", "ALWAYS_ON", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["Modified"] == ids
    assert "waited for an earlier change to finish" in run.stderr
    assert sb.counts()["ModifyWorkspaceProperties"] >= 3  # the compute change, a refused try, the retry
    assert describe(ids)[ids[0]]["WorkspaceProperties"]["RunningMode"] == "ALWAYS_ON"


def test_a_timeout_between_two_steps_exits_4_with_what_to_do():
    from wsctl.sandbox.store import Store

    _, ids = make_fleet(1)
    workspace_id = ids[0]
    Store().update_settings(time_scale=2)  # from now on a volume change takes 12 s
    run = wsctl(
        "--sandbox",
        "modify",
        workspace_id,
        "--root-volume-size",
        "175",
        "--user-volume-size",
        "100",
        "--timeout",
        "0.5",
        "--poll-interval",
        "0.1",
        "-o",
        "json",
    )
    assert run.exit_code == 4, run.stderr
    assert run.json()["Modified"] == [workspace_id]  # step 1 was requested
    assert sb.counts()["ModifyWorkspaceProperties"] == 1  # step 2 was not sent
    assert f"wsctl --sandbox describe --id {workspace_id} --wait" in run.stderr
    assert "run the same command again to finish" in run.stderr


def test_ctrl_c_while_sending_reports_what_was_requested(monkeypatch):
    from wsctl.aws.service import WorkspacesService

    _, ids = make_fleet(3)
    real = WorkspacesService.modify_properties

    def then_interrupt(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(WorkspacesService, "modify_properties", then_interrupt)
    run = wsctl("--sandbox", "set-mode", *ids, "--running-mode", "ALWAYS_ON", "--yes", "-o", "json")
    assert run.exit_code == 130
    assert sorted(run.json()["Modified"]) == sorted(ids)
    assert "stopped after changes were requested for 3 WorkSpaces" in run.stderr


def test_modify_rules():
    seed, ids = make_fleet(1)
    cases = [
        (["--compute-type", "GRAPHICS_G4DN"], "STANDARD can change only to one of"),
        (["--root-volume-size", "60"], "root volume cannot shrink"),
        (["--user-volume-size", "70"], "is not an allowed combination"),
        (["--compute-type", "POWER", "--root-volume-size", "175"], "cannot change in the same call"),
        (["--root-volume-size", "3000"], "outside 1-2000 GiB"),
    ]
    for extra, expected in cases:
        run = wsctl("--sandbox", "modify", ids[0], *extra)
        assert run.exit_code == 2, (extra, run.stderr)
        assert expected in run.stderr, (extra, run.stderr)
    assert sb.counts().get("ModifyWorkspaceProperties", 0) == 0


def test_growing_both_volumes_runs_two_steps_in_order_and_waits():
    _, ids = make_fleet(2)
    run = wsctl(
        "--sandbox",
        "modify",
        *ids,
        "--root-volume-size",
        "175",
        "--user-volume-size",
        "100",
        "--yes",
        "--wait",
        "--poll-interval",
        "0.05",
        "-o",
        "json",
    )
    assert run.exit_code == 0, run.stderr
    assert "Step 1 of 2: user volume to 100 GiB" in run.stderr
    assert "Step 2 of 2: root volume to 175 GiB" in run.stderr
    assert sb.counts()["ModifyWorkspaceProperties"] == 4
    for ws in describe(ids).values():
        props = ws["WorkspaceProperties"]
        assert (props["RootVolumeSizeGib"], props["UserVolumeSizeGib"]) == (175, 100)
    plan = wsctl("--sandbox", "modify", *ids, "--root-volume-size", "175", "--yes", "-o", "json")
    assert plan.json()["Unchanged"] == ids


def test_compute_change_with_wait_and_update_failed():
    _, ids = make_fleet(2, users=["user0001", "sandbox-update-fails"])
    run = wsctl(
        "--sandbox",
        "modify",
        *ids,
        "--compute-type",
        "POWER",
        "--yes",
        "--wait",
        "--poll-interval",
        "0.05",
        "-o",
        "json",
    )
    assert run.exit_code == 3, run.stderr
    finals = {w["UserName"]: w for w in run.json()["Workspaces"]}
    assert finals["user0001"]["WorkspaceProperties"]["ComputeTypeName"] == "POWER"
    assert "UPDATE_FAILED" in run.stderr


def test_dry_run_plan():
    _, ids = make_fleet(3)
    wsctl("--sandbox", "set-mode", ids[0], "--running-mode", "ALWAYS_ON")
    run = wsctl("--sandbox", "set-mode", *ids, "--running-mode", "ALWAYS_ON", "--dry-run", "-o", "json")
    assert run.exit_code == 0
    assert [r["WorkspaceId"] for r in run.json()["Requests"]] == ids[1:]
    assert run.json()["Unchanged"] == ids[:1]
    assert sb.counts()["ModifyWorkspaceProperties"] == 1


def test_no_targets_and_no_mode_without_a_terminal_name_what_is_missing():
    sb.reset(*FAST)
    run = wsctl("--sandbox", "set-mode")
    assert run.exit_code == 2
    assert "--running-mode" in run.stderr and "targets" in run.stderr


def test_bad_target_files_and_empty_stdin_are_located_usage_errors(tmp_path):
    _, ids = make_fleet(1)
    semicolons = tmp_path / "modes.csv"
    semicolons.write_text(f"workspace_id;running_mode\n{ids[0]};ALWAYS_ON\n")
    huge = tmp_path / "huge.csv"
    huge.write_text("workspace_id,running_mode\n" + f'{ids[0]},"{"x" * 200_000}"\n')
    for path, expected in ((semicolons, "separated by ';'"), (huge, "CSV error")):
        run = wsctl("--sandbox", "set-mode", "-f", str(path), "--yes")
        assert run.exit_code == 2, run.stderr
        assert f"{path} row" in run.stderr and expected in run.stderr
        assert "Traceback" not in run.stderr
    empty = wsctl("--sandbox", "set-mode", "-", "--running-mode", "ALWAYS_ON", "--yes", input="")
    assert empty.exit_code == 2
    assert "stdin held no WorkSpace IDs" in empty.stderr
