"""What each lifecycle action may act on, when its --wait is over, and what a rerun skips."""

from __future__ import annotations

import pytest

from tests import sandbox_support as sb
from tests.helpers import wsctl
from tests.sandbox_support import make_fleet
from wsctl.aws.service import WorkspacesService
from wsctl.spec.actions import ACTIONS
from wsctl.spec.waits import ActionSpec, Item, Status

POLL = ("--poll-interval", "0.05")


@pytest.mark.parametrize(
    ("command", "state", "mode", "force", "reason"),
    [
        ("start", "STOPPED", "AUTO_STOP", False, None),
        ("start", "STOPPED", "ALWAYS_ON", False, "running mode ALWAYS_ON"),
        ("start", "AVAILABLE", "AUTO_STOP", False, "already AVAILABLE"),
        ("stop", "ERROR", "MANUAL", False, None),
        ("stop", "STOPPING", "AUTO_STOP", False, "already STOPPING"),
        ("reboot", "REBOOTING", "AUTO_STOP", False, "pass --force"),
        ("reboot", "REBOOTING", "AUTO_STOP", True, None),
        ("rebuild", "AVAILABLE", "ALWAYS_ON", False, None),
        ("restore", "REBOOTING", "AUTO_STOP", False, "restore needs AVAILABLE or ERROR or STOPPED or UNHEALTHY"),
        ("maintenance on", "ADMIN_MAINTENANCE", "AUTO_STOP", False, "already ADMIN_MAINTENANCE"),
        ("maintenance off", "AVAILABLE", "AUTO_STOP", False, "already AVAILABLE"),
        ("terminate", "SUSPENDED", "AUTO_STOP", False, "refused in SUSPENDED"),
        ("terminate", "TERMINATED", "AUTO_STOP", False, "already TERMINATED"),
        ("terminate", "ERROR", "ALWAYS_ON", False, None),
    ],
)
def test_skip_reasons(command, state, mode, force, reason):
    found = ACTIONS[command].skip_reason(state, mode, force=force)
    assert (found is None) if reason is None else (found is not None and reason in found), found


def _judge(spec: ActionSpec, states: list[tuple[float, str | None]]) -> Status:
    item = Item("ws-1")
    verdict = None
    for elapsed, state in states:
        verdict = spec.judge(item, None if state is None else {"WorkspaceId": "ws-1", "State": state}, elapsed)
        item.state, item.status = verdict.state, verdict.status
        if verdict.status is not Status.PENDING:
            break
    assert verdict is not None
    return verdict.status


def test_a_rebuild_is_done_once_it_has_left_its_first_state_or_after_the_grace():
    rebuild = ACTIONS["rebuild"]
    spec = ActionSpec(rebuild.settles_at, {"ws-1": "AVAILABLE"}, may_finish_unseen=rebuild.may_finish_unseen)
    assert _judge(spec, [(5, "AVAILABLE"), (10, "REBUILDING"), (12, "AVAILABLE")]) is Status.SUCCEEDED
    unseen = ActionSpec(rebuild.settles_at, {"ws-1": "AVAILABLE"}, may_finish_unseen=rebuild.may_finish_unseen)
    assert _judge(unseen, [(5, "AVAILABLE"), (20, "AVAILABLE")]) is Status.PENDING
    assert _judge(unseen, [(31, "AVAILABLE")]) is Status.SUCCEEDED
    # An action whose settle state differs from where it starts never counts without a move.
    stop = ActionSpec(ACTIONS["stop"].settles_at, {"ws-1": "STOPPED"})
    assert _judge(stop, [(400, "STOPPED")]) is Status.PENDING


def test_a_reboot_may_be_over_before_a_poll_sees_it():
    reboot = ACTIONS["reboot"]
    spec = ActionSpec(reboot.settles_at, {"ws-1": "AVAILABLE"}, may_finish_unseen=reboot.may_finish_unseen)
    assert _judge(spec, [(5, "AVAILABLE")]) is Status.PENDING
    assert _judge(spec, [(31, "AVAILABLE")]) is Status.SUCCEEDED


def test_a_stop_from_error_fails_only_if_it_comes_back_to_error_or_never_moves():
    stop = ACTIONS["stop"]
    assert _judge(ActionSpec(stop.settles_at, {"ws-1": "ERROR"}), [(5, "ERROR"), (60, "ERROR")]) is Status.PENDING
    assert _judge(ActionSpec(stop.settles_at, {"ws-1": "ERROR"}), [(5, "STOPPING"), (9, "ERROR")]) is Status.FAILED
    assert _judge(ActionSpec(stop.settles_at, {"ws-1": "ERROR"}), [(301, "ERROR")]) is Status.FAILED


def test_terminate_is_done_when_gone_and_fails_when_it_ends_in_error():
    gone = ActionSpec(frozenset(), {"ws-1": "AVAILABLE"}, gone_is_done=True)
    assert _judge(gone, [(5, "TERMINATING"), (9, None)]) is Status.SUCCEEDED
    stuck = ActionSpec(frozenset(), {"ws-1": "AVAILABLE"}, gone_is_done=True)
    assert _judge(stuck, [(5, "TERMINATING"), (9, "ERROR")]) is Status.FAILED


def _interrupt_after(count: int):
    real = WorkspacesService.act

    def act(self, action, workspace_ids, outcome, record=None, **kwargs):
        real(self, action, list(workspace_ids)[:count], outcome, record, **kwargs)
        raise KeyboardInterrupt

    return act


def test_two_interruptions_in_a_row_still_skip_what_the_first_one_sent(monkeypatch):
    _, ids = make_fleet(3)
    sent: list[str] = []
    for _ in range(2):
        with monkeypatch.context() as patched:
            patched.setattr(WorkspacesService, "act", _interrupt_after(1))
            run = wsctl("--sandbox", "rebuild", *ids, "--yes", "-o", "json")
        assert run.exit_code == 130
        sent += run.json()["Requested"]
        assert wsctl("--sandbox", "describe", *[a for i in sent for a in ("--id", i)], "--wait", *POLL).exit_code == 0
    before = sb.counts()["RebuildWorkspaces"]
    last = wsctl("--sandbox", "rebuild", *ids, "--yes", "-o", "json")
    assert last.exit_code == 0, last.stderr
    assert last.json()["Requested"] == sorted(set(ids) - set(sent))
    assert sb.counts()["RebuildWorkspaces"] - before == 1  # each WorkSpace rebuilt once in all


def test_an_interrupted_run_that_sent_everything_does_not_block_the_next_request(monkeypatch):
    _, ids = make_fleet(2)
    with monkeypatch.context() as patched:
        patched.setattr(WorkspacesService, "act", _interrupt_after(2))
        assert wsctl("--sandbox", "reboot", *ids, "--yes").exit_code == 130
    assert wsctl("--sandbox", "describe", *[a for i in ids for a in ("--id", i)], "--wait", *POLL).exit_code == 0
    finishing = wsctl("--sandbox", "reboot", *ids, "--yes", "-o", "json")
    assert finishing.json()["Requested"] == []  # the interrupted run had sent both
    later = wsctl("--sandbox", "reboot", *ids, "--yes", "-o", "json")
    assert sorted(later.json()["Requested"]) == sorted(ids)  # a new request: both are rebooted again


def test_a_migrate_by_directory_skips_what_is_already_on_the_destination():
    seed, ids = make_fleet(2)
    target = sb.bundle_id(seed, "PERFORMANCE")
    directory = sb.primary_directory(seed)["DirectoryId"]
    assert wsctl("--sandbox", "migrate", ids[0], "--bundle-id", target, "--wait", *POLL).exit_code == 0
    run = wsctl("--sandbox", "migrate", "--directory-id", directory, "--bundle-id", target, "--yes", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["Requested"] == [ids[1]]
    assert [s["Reason"] for s in run.json()["Skipped"]] == [f"already on {target}"]


def test_a_call_that_gets_no_answer_fails_its_workspaces_and_the_rest_are_reported(monkeypatch):
    from wsctl.errors import WsctlError

    _, ids = make_fleet(2)
    real = WorkspacesService._call

    def first_restore_times_out(self, operation, **params):
        if operation == "restore_workspace" and params["WorkspaceId"] == ids[0]:
            raise WsctlError("The WorkSpaces endpoint did not answer in time")
        return real(self, operation, **params)

    monkeypatch.setattr(WorkspacesService, "_call", first_restore_times_out)
    run = wsctl("--sandbox", "restore", *ids, "--yes", "-o", "json")
    assert run.exit_code == 3, run.stderr
    assert run.json()["Requested"] == [ids[1]]
    [failed] = run.json()["FailedRequests"]
    assert (failed["WorkspaceId"], failed["ErrorCode"]) == (ids[0], "NoAnswer")
