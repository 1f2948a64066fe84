"""start, stop, reboot, rebuild, restore, migrate, maintenance and terminate, end to end on the sandbox."""

from __future__ import annotations

import pytest

from tests import sandbox_support as sb
from tests.helpers import wsctl
from tests.sandbox_support import make_fleet
from wsctl.aws.service import WorkspacesService
from wsctl.sandbox.seed import REBOOT_FAILS_USER

POLL = ("--poll-interval", "0.05")


def states(ids: list[str]) -> dict[str, str]:
    run = wsctl("--sandbox", "describe", *[a for i in ids for a in ("--id", i)], "-o", "json")
    return {w["WorkspaceId"]: w["State"] for w in run.json()["Workspaces"]}


def test_stop_sends_one_call_for_a_fleet_skips_always_on_and_a_rerun_sends_nothing():
    _, ids = make_fleet(5)
    always_on = ids[0]
    assert wsctl("--sandbox", "set-mode", always_on, "--running-mode", "ALWAYS_ON", "--yes", "--wait").exit_code == 0
    before = sb.counts()
    run = wsctl("--sandbox", "stop", *ids, "--yes", "--wait", *POLL, "-o", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert sorted(data["Requested"]) == sorted(ids[1:])
    assert [(s["WorkspaceId"], s["State"]) for s in data["Skipped"]] == [(always_on, "AVAILABLE")]
    assert "ALWAYS_ON" in data["Skipped"][0]["Reason"] and "AUTO_STOP or MANUAL" in data["Skipped"][0]["Reason"]
    assert data["FailedRequests"] == []
    assert {w["WorkspaceId"]: w["State"] for w in data["Workspaces"]} == dict.fromkeys(ids[1:], "STOPPED")
    assert sb.counts().get("StopWorkspaces", 0) - before.get("StopWorkspaces", 0) == 1

    again = wsctl("--sandbox", "stop", *ids, "--yes", "-o", "json")
    assert again.exit_code == 0
    assert again.json()["Requested"] == []
    assert {s["Reason"] for s in again.json()["Skipped"]} >= {"already STOPPED"}
    assert sb.counts().get("StopWorkspaces", 0) - before.get("StopWorkspaces", 0) == 1  # the rerun sent nothing


def test_start_reads_ids_from_stdin_and_prints_the_requested_ids():
    _, ids = make_fleet(3)
    assert wsctl("--sandbox", "stop", *ids, "--yes", "--wait", *POLL).exit_code == 0
    listed = wsctl("--sandbox", "describe", "--state", "STOPPED", "-o", "ids")
    run = wsctl("--sandbox", "start", "-", "--yes", "--wait", *POLL, "-o", "ids", input=listed.stdout)
    assert run.exit_code == 0, run.stderr
    assert sorted(run.stdout.split()) == sorted(ids)
    assert set(states(ids).values()) == {"AVAILABLE"}


def test_start_by_directory_skips_what_is_already_running():
    seed, ids = make_fleet(2)
    assert wsctl("--sandbox", "stop", ids[0], "--wait", *POLL).exit_code == 0
    directory = sb.primary_directory(seed)["DirectoryId"]
    run = wsctl("--sandbox", "start", "--directory-id", directory, "--yes", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["Requested"] == [ids[0]]
    assert [(s["WorkspaceId"], s["Reason"]) for s in run.json()["Skipped"]] == [(ids[1], "already AVAILABLE")]


def test_a_dry_run_lists_what_would_go_and_sends_nothing():
    _, ids = make_fleet(2)
    before = sb.counts()
    run = wsctl("--sandbox", "terminate", *ids, "--dry-run", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert sorted(run.json()["Planned"]) == sorted(ids)
    assert "TerminateWorkspaces" not in sb.counts() and sb.counts().get("TerminateWorkspaces") == before.get(
        "TerminateWorkspaces"
    )
    assert set(states(ids).values()) == {"AVAILABLE"}


def test_terminate_without_a_terminal_needs_yes_even_for_one_workspace():
    _, ids = make_fleet(1)
    run = wsctl("--sandbox", "terminate", ids[0])
    assert run.exit_code == 2
    assert "cannot be undone" in run.stderr and "--yes" in run.stderr
    assert "destroys each WorkSpace and its user's data" in run.stderr
    assert "TerminateWorkspaces" not in sb.counts()


def test_terminate_waits_until_the_ids_are_gone_and_a_rerun_says_so():
    _, ids = make_fleet(3)
    run = wsctl("--sandbox", "terminate", *ids, "--yes", "--wait", *POLL, "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert sorted(run.json()["Requested"]) == sorted(ids)
    assert states(ids) == {}
    again = wsctl("--sandbox", "terminate", *ids, "--yes", "-o", "json")
    assert again.exit_code == 0
    assert {s["Reason"] for s in again.json()["Skipped"]} == {"no longer exists"}


def test_a_fleet_wide_wait_after_a_terminate_or_a_migration_is_not_a_failure():
    # The WorkSpaces on their way out are TERMINATING or TERMINATED when the wait lists them.
    seed, ids = make_fleet(3)
    assert wsctl("--sandbox", "terminate", ids[0], "--yes").exit_code == 0
    other = sb.bundle_id(seed, "PERFORMANCE")
    assert wsctl("--sandbox", "migrate", ids[1], "--bundle-id", other, "--yes").exit_code == 0
    fleet = wsctl("--sandbox", "describe", "--wait", *POLL, "-o", "json")
    assert fleet.exit_code == 0, fleet.stderr
    assert "ended in" not in fleet.stderr


def test_an_unknown_id_is_refused_before_anything_is_sent():
    _, ids = make_fleet(1)
    before = sb.counts()
    run = wsctl("--sandbox", "stop", ids[0], "ws-zzzzzzzzz", "--yes")
    assert run.exit_code == 2
    assert "no WorkSpace ws-zzzzzzzzz" in run.stderr
    assert sb.counts().get("StopWorkspaces") == before.get("StopWorkspaces")


def test_ctrl_c_while_sending_reports_what_was_sent_and_the_rerun_sends_only_the_rest(monkeypatch):
    _, ids = make_fleet(3)
    real = WorkspacesService.act

    def first_then_interrupt(self, action, workspace_ids, outcome, record=None, **kwargs):
        real(self, action, list(workspace_ids)[:1], outcome, record, **kwargs)
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:  # not monkeypatch.undo(): that would undo the state fixture too
        patched.setattr(WorkspacesService, "act", first_then_interrupt)
        run = wsctl("--sandbox", "stop", *ids, "--yes", "-o", "json")
    assert run.exit_code == 130
    assert len(run.json()["Requested"]) == 1
    assert "run the same command again to finish" in run.stderr
    rerun = wsctl("--sandbox", "stop", *ids, "--yes", "-o", "json")
    assert rerun.exit_code == 0, rerun.stderr
    assert sorted(rerun.json()["Requested"]) == sorted(set(ids) - set(run.json()["Requested"]))


@pytest.mark.parametrize("command", ["reboot", "rebuild", "restore"])
def test_an_interrupted_run_of_an_action_that_leaves_the_state_as_it_was_is_finished_by_its_run_record(
    command, monkeypatch
):
    # A rebuilt WorkSpace is AVAILABLE again, as it was: only the run record tells the rerun what is done.
    _, ids = make_fleet(3, extra=("--time-scale", "0.5"))  # slow enough that the rerun's wait sees each change
    real = WorkspacesService.act

    def first_then_interrupt(self, action, workspace_ids, outcome, record=None, **kwargs):
        real(self, action, list(workspace_ids)[:1], outcome, record, **kwargs)
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(WorkspacesService, "act", first_then_interrupt)
        first = wsctl("--sandbox", command, *ids, "--yes", "-o", "json")
    assert first.exit_code == 130
    done = first.json()["Requested"]
    assert wsctl("--sandbox", "describe", *[a for i in done for a in ("--id", i)], "--wait", *POLL).exit_code == 0
    rerun = wsctl("--sandbox", command, *ids, "--yes", "--wait", *POLL, "-o", "json")
    assert rerun.exit_code == 0, rerun.stderr
    assert sorted(rerun.json()["Requested"]) == sorted(set(ids) - set(done))
    assert [s["WorkspaceId"] for s in rerun.json()["Skipped"]] == done
    assert "already sent by the interrupted run" in rerun.json()["Skipped"][0]["Reason"]
    # That run finished: the same command is a new request again.
    third = wsctl("--sandbox", command, *ids, "--yes", "--dry-run", "-o", "json")
    assert sorted(third.json()["Planned"]) == sorted(ids)


def test_rebuilding_thirty_takes_thirty_calls_and_waits_for_all():
    _, ids = make_fleet(30, extra=("--time-scale", "0.5"))  # REBUILDING for 3 s: the first poll sees it
    before = sb.counts()
    run = wsctl("--sandbox", "rebuild", *ids, "--yes", "--wait", *POLL, "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert sb.counts()["RebuildWorkspaces"] - before.get("RebuildWorkspaces", 0) == 30
    assert {w["State"] for w in run.json()["Workspaces"]} == {"AVAILABLE"}


def test_reboot_of_a_workspace_stuck_in_rebooting_needs_force():
    _, ids = make_fleet(1, extra=("--time-scale", "1"))  # a reboot takes 3 s: long enough to see REBOOTING
    assert wsctl("--sandbox", "reboot", ids[0]).exit_code == 0
    assert states(ids) == {ids[0]: "REBOOTING"}
    skipped = wsctl("--sandbox", "reboot", ids[0], "-o", "json")
    assert "--force" in skipped.json()["Skipped"][0]["Reason"]
    forced = wsctl("--sandbox", "reboot", ids[0], "--force", "-o", "json")
    assert forced.json()["Requested"] == ids


def test_maintenance_on_refuses_the_other_actions_and_off_brings_it_back():
    _, ids = make_fleet(2)
    on = wsctl("--sandbox", "maintenance", "on", *ids, "--yes", "--wait", *POLL, "-o", "json")
    assert on.exit_code == 0, on.stderr
    assert set(states(ids).values()) == {"ADMIN_MAINTENANCE"}
    for command in ("reboot", "rebuild", "restore", "stop"):
        run = wsctl("--sandbox", command, *ids, "--yes", "-o", "json")
        assert run.exit_code == 0 and run.json()["Requested"] == [], (command, run.stderr)
        assert all(s["State"] == "ADMIN_MAINTENANCE" for s in run.json()["Skipped"])
    off = wsctl("--sandbox", "maintenance", "off", *ids, "--yes", "--wait", *POLL)
    assert off.exit_code == 0, off.stderr
    assert set(states(ids).values()) == {"AVAILABLE"}


def test_migrate_reports_the_new_workspace_and_waits_for_it():
    seed, ids = make_fleet(1)
    target = sb.bundle_id(seed, "PERFORMANCE")
    run = wsctl("--sandbox", "migrate", ids[0], "--bundle-id", target, "--wait", *POLL, "-o", "json")
    assert run.exit_code == 0, run.stderr
    [migrated] = run.json()["Migrated"]
    assert migrated["SourceWorkspaceId"] == ids[0] and migrated["TargetWorkspaceId"] != ids[0]
    [new] = run.json()["Workspaces"]
    assert (new["WorkspaceId"], new["State"], new["BundleId"]) == (migrated["TargetWorkspaceId"], "AVAILABLE", target)
    ids_only = wsctl("--sandbox", "migrate", ids[0], "--bundle-id", target, "-o", "ids")
    assert ids_only.exit_code == 0 and ids_only.stdout == ""  # the source is gone: nothing left to migrate


def test_a_reboot_that_ends_unhealthy_fails_that_workspace_alone_with_exit_3():
    seed = sb.reset("--time-scale", "0.5")  # REBOOTING for 1.5 s: the wait sees both reboots
    created = wsctl(*sb.create_args(seed, "user0001", REBOOT_FAILS_USER), "--yes", "--wait", *POLL, "-o", "json")
    assert created.exit_code == 0, created.stderr
    by_user = {w["UserName"]: w["WorkspaceId"] for w in created.json()["Workspaces"]}
    run = wsctl("--sandbox", "reboot", *by_user.values(), "--yes", "--wait", *POLL, "-o", "json")
    assert run.exit_code == 3, run.stderr
    final = {w["WorkspaceId"]: w["State"] for w in run.json()["Workspaces"]}
    assert final == {by_user["user0001"]: "AVAILABLE", by_user[REBOOT_FAILS_USER]: "UNHEALTHY"}
    assert f"{by_user[REBOOT_FAILS_USER]} {REBOOT_FAILS_USER}: ended in UNHEALTHY" in run.stderr


def test_targets_from_a_file_and_from_a_bundle(tmp_path):
    seed, ids = make_fleet(3)
    listed = tmp_path / "targets.csv"
    listed.write_text("workspace_id\n" + "\n".join(ids[:2]) + "\n")
    from_file = wsctl("--sandbox", "stop", "-f", str(listed), "--yes", "--wait", *POLL, "-o", "json")
    assert from_file.exit_code == 0, from_file.stderr
    assert sorted(from_file.json()["Requested"]) == sorted(ids[:2])
    by_bundle = wsctl("--sandbox", "stop", "--bundle-id", sb.bundle_id(seed), "--yes", "-o", "json")
    assert by_bundle.exit_code == 0, by_bundle.stderr
    assert by_bundle.json()["Requested"] == [ids[2]]
    assert {s["WorkspaceId"] for s in by_bundle.json()["Skipped"]} == set(ids[:2])
