"""The seeded users whose reboots, rebuilds and restores fail, and the states they leave behind."""

from __future__ import annotations

import pytest

from tests import sandbox_support as sb
from tests.test_sandbox_lifecycle_ops import _act, _create, _describe, _ok, _setup, _state
from wsctl.sandbox import lifecycle
from wsctl.sandbox.seed import FAULT_USERS, REBOOT_FAILS_USER, REBUILD_FAILS_USER, RESTORE_FAILS_USER


def test_the_fault_users_are_seeded_into_the_first_directory(monkeypatch):
    _, seed, _ = _setup(monkeypatch)
    primary = sb.primary_directory(seed)["FaultUsers"]
    assert {REBOOT_FAILS_USER, REBUILD_FAILS_USER, RESTORE_FAILS_USER} <= set(FAULT_USERS) == set(primary)
    assert not set(FAULT_USERS) & set(sb.second_directory(seed)["UserNames"])


def _unhealthy(clock, c, seed):
    wid = _create(clock, c, seed, REBOOT_FAILS_USER)
    _ok(c.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": wid}]))
    clock.advance(lifecycle.REBOOTING_FOR - 0.05)
    assert _state(c, wid) == "REBOOTING"
    clock.advance(0.1)
    ws = _describe(c, wid)
    assert ws["State"] == "UNHEALTHY" and "ErrorCode" not in ws
    return wid


def test_the_reboot_fails_user_ends_unhealthy_and_other_users_do_not(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    _unhealthy(clock, c, seed)
    other = _create(clock, c, seed, "user0001")
    _ok(c.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": other}]))
    clock.advance(lifecycle.REBOOTING_FOR + 0.1)
    assert _state(c, other) == "AVAILABLE"


# What an UNHEALTHY WorkSpace allows (the API reference): reboot, stop, rebuild and restore.
@pytest.mark.parametrize(
    ("action", "refused_with", "moves_to", "ends", "seconds"),
    [
        ("reboot", None, "REBOOTING", "UNHEALTHY", lifecycle.REBOOTING_FOR),  # this user's reboots keep failing
        ("stop", None, "STOPPING", "STOPPED", lifecycle.STOPPING_FOR),
        ("rebuild", None, "REBUILDING", "AVAILABLE", lifecycle.REBUILDING_FOR),
        ("restore", None, "RESTORING", "AVAILABLE", lifecycle.RESTORING_FOR),
        ("start", "InvalidResourceStateException", None, None, 0),
        ("migrate", "OperationNotSupportedException", None, None, 0),
        ("maintenance", "InvalidResourceStateException", None, None, 0),
        ("terminate", None, "TERMINATING", "TERMINATED", lifecycle.TERMINATING_FOR),
    ],
)
def test_from_unhealthy(monkeypatch, action, refused_with, moves_to, ends, seconds):
    clock, seed, c = _setup(monkeypatch)
    wid = _unhealthy(clock, c, seed)
    refused = _act(c, seed, action, wid)
    if refused_with is not None:
        assert refused is not None and refused[0] == refused_with and "UNHEALTHY" in refused[1]
        assert _state(c, wid) == "UNHEALTHY"
        return
    assert refused is None
    clock.advance(seconds - 0.05)
    assert _state(c, wid) == moves_to
    clock.advance(0.1)
    assert _state(c, wid) == ends


@pytest.mark.parametrize(
    ("user", "action", "during", "seconds", "code", "recovery"),
    [
        (REBUILD_FAILS_USER, "rebuild", "REBUILDING", lifecycle.REBUILDING_FOR, "RebuildFailed", "restore"),
        (RESTORE_FAILS_USER, "restore", "RESTORING", lifecycle.RESTORING_FOR, "RestoreFailed", "rebuild"),
    ],
)
def test_rebuild_and_restore_fault_users_end_in_error_until_the_other_one(
    monkeypatch, user, action, during, seconds, code, recovery
):
    clock, seed, c = _setup(monkeypatch)
    wid = _create(clock, c, seed, user)
    assert _act(c, seed, action, wid) is None
    clock.advance(seconds - 0.05)
    assert _state(c, wid) == during
    clock.advance(0.1)
    ws = _describe(c, wid)
    assert (ws["State"], ws["ErrorCode"]) == ("ERROR", code)
    assert "sandbox" in ws["ErrorMessage"] and recovery in ws["ErrorMessage"]
    assert "IpAddress" not in ws and "ComputerName" not in ws
    # ERROR allows the same operation again, which fails again ...
    assert _act(c, seed, action, wid) is None
    clock.advance(seconds + 0.1)
    assert _state(c, wid) == "ERROR"
    # ... and the other one, which brings it back.
    assert _act(c, seed, recovery, wid) is None
    clock.advance(lifecycle.REBUILDING_FOR + 0.1)
    ws = _describe(c, wid)
    assert ws["State"] == "AVAILABLE" and "ErrorCode" not in ws and ws["IpAddress"]


def test_a_fault_users_error_can_be_stopped_and_started_away(monkeypatch):
    clock, seed, c = _setup(monkeypatch)
    wid = _create(clock, c, seed, REBUILD_FAILS_USER)
    _ok(c.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": wid}]))
    clock.advance(lifecycle.REBUILDING_FOR + 0.1)
    _ok(c.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}]))
    clock.advance(lifecycle.STOPPING_FOR + 0.1)
    _ok(c.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": wid}]))
    clock.advance(lifecycle.STARTING_FOR + 0.1)
    assert _state(c, wid) == "AVAILABLE"
