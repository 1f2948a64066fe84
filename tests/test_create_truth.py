"""`create` reports what exists, nothing else: no created WorkSpace as failed, true counts, state dirs.

- A call that ends without an answer (throttled after every retry, a 5xx, a lost response)
  leaves its requests unsettled until wsctl has looked up what exists for those users; the
  lookups are patient (more attempts with backoff than botocore's). At 80% throttling with
  20% of the answers lost, a 200-WorkSpace batch reports every WorkSpace once, as the sandbox
  holds it, and at most one rerun finishes it.
- `ResourceExists.WorkSpace` answered to the first attempt of a call means another run made
  that WorkSpace: it is "existing", not a lost response of ours.
- A run record that cannot be written stops the run before anything is sent; one that fails
  later (a full disk) is warned about, and the results still reach stdout and stderr.

Backoff is scaled down here (botocore's and wsctl's) so the faults cost seconds, not minutes;
what is retried, and how often, is unchanged.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests import sandbox_support as sb
from tests.helpers import Run, wsctl

BACKOFF_SCALE = 0.01


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.retries import standard

    from wsctl.aws import creates

    original = standard.ExponentialBackoff.delay_amount
    monkeypatch.setattr(
        standard.ExponentialBackoff, "delay_amount", lambda self, context: original(self, context) * BACKOFF_SCALE
    )
    for name in ("LOOKUP_RETRY_DELAYS", "RECOVERY_DELAYS"):
        if hasattr(creates, name):
            monkeypatch.setattr(creates, name, tuple(d * BACKOFF_SCALE for d in getattr(creates, name)))


def _users(n: int) -> list[str]:
    return [f"user{i:04d}" for i in range(1, n + 1)]


def _fleet(tmp_path: Path, seed: dict[str, Any], users: list[str]) -> str:
    path = tmp_path / "fleet.yaml"
    path.write_text(
        "defaults:\n"
        f"  directory_id: {sb.primary_directory(seed)['DirectoryId']}\n"
        f"  bundle_id: {sb.bundle_id(seed)}\n"
        "workspaces:\n" + "".join(f"  - user: {u}\n" for u in users)
    )
    return str(path)


def _sandbox_holds(seed: dict[str, Any]) -> dict[str, list[str]]:
    """User -> WorkSpace IDs, as `wsctl --sandbox describe -o json` shows them with the faults off for a moment."""
    from wsctl.sandbox.store import Store

    store = Store()
    with store.read() as conn:
        settings = store.settings(conn)
    store.update_settings(throttle_rate=0.0, server_error_rate=0.0, lost_response_rate=0.0, rate_limit=None)
    try:
        run = wsctl("--sandbox", "describe", "--directory-id", sb.primary_directory(seed)["DirectoryId"], "-o", "json")
        assert run.exit_code == 0, run.stderr
    finally:
        store.update_settings(
            throttle_rate=settings.throttle_rate,
            server_error_rate=settings.server_error_rate,
            lost_response_rate=settings.lost_response_rate,
            rate_limit=settings.rate_limit,
        )
    held: dict[str, list[str]] = {}
    for ws in run.json()["Workspaces"]:
        held.setdefault(ws["UserName"], []).append(ws["WorkspaceId"])
    return held


def _reported(data: dict[str, Any]) -> Counter[str]:
    users = [w["UserName"] for w in data["PendingRequests"] + data["Existing"]]
    users += [f["WorkspaceRequest"]["UserName"] for f in data["FailedRequests"] + data.get("Unconfirmed", [])]
    return Counter(users)


def _check_truthful(run: Run, seed: dict[str, Any], users: list[str]) -> dict[str, int]:
    """Every user reported once; what the output says exists is what the sandbox holds."""
    assert run.exit_code in (0, 3), run.stderr[-3000:]
    data = run.json()
    reported = _reported(data)
    assert sorted(reported) == users and set(reported.values()) == {1}, run.stderr[-2000:]
    held = _sandbox_holds(seed)
    assert all(len(ids) == 1 for ids in held.values())  # no duplicate
    said_to_exist = {w["WorkspaceId"] for w in data["PendingRequests"] + data["Existing"]}
    assert said_to_exist == {ids[0] for ids in held.values()}
    failed_users = {f["WorkspaceRequest"]["UserName"] for f in data["FailedRequests"]}
    assert not failed_users & set(held)  # nothing that exists is reported failed
    assert data.get("Unconfirmed", []) == []
    assert (run.exit_code == 3) == bool(failed_users)
    return {
        "created": len(data["PendingRequests"]),
        "existing": len(data["Existing"]),
        "failed": len(failed_users),
        "held": len(held),
    }


@pytest.mark.timeout(120)
@pytest.mark.parametrize("seed_number", ["0", "3"])
def test_200_workspaces_at_80_percent_throttling_and_20_percent_lost_responses(tmp_path, fast_backoff, seed_number):
    users = _users(200)
    seed = sb.reset(
        "--users", "200", "--time-scale", "0.01", "--throttle-rate", "0.8", "--lost-response-rate", "0.2",
        "--seed", seed_number,
    )  # fmt: skip
    fleet = _fleet(tmp_path, seed, users)
    first = wsctl("--sandbox", "create", "-f", fleet, "--yes", "-o", "json")
    counts = _check_truthful(first, seed, users)
    if first.exit_code == 0:
        return
    # At most one rerun finishes the batch: it sends only what is missing, never a duplicate.
    second = wsctl("--sandbox", "create", "-f", fleet, "--yes", "-o", "json")
    again = _check_truthful(second, seed, users)
    assert second.exit_code == 0, second.stderr[-3000:]
    assert again["existing"] == counts["held"] and again["held"] == 200


def test_a_rerun_at_80_percent_throttling_looks_up_patiently_instead_of_giving_up(tmp_path, fast_backoff):
    users = _users(100)
    seed = sb.reset("--users", "100", "--time-scale", "0.01")
    fleet = _fleet(tmp_path, seed, users)
    assert wsctl("--sandbox", "create", "-f", fleet, "--yes", "-o", "json").exit_code == 0
    from wsctl.sandbox.store import Store

    Store().update_settings(throttle_rate=0.8)
    again = wsctl("--sandbox", "--max-attempts", "2", "create", "-f", fleet, "--yes", "-o", "json")
    assert again.exit_code == 0, again.stderr[-2000:]
    assert len(again.json()["Existing"]) == 100 and again.json()["PendingRequests"] == []
    assert sb.counts().get("CreateWorkspaces", 0) == 4  # the first run's calls only


def test_workspaces_another_run_created_meanwhile_are_existing_not_lost_responses(tmp_path, monkeypatch):
    # Another wsctl creates the first 30 between this run's lookup and its calls: their
    # ResourceExists.WorkSpace answers come at the first attempt, so they are that run's.
    users = _users(100)
    seed = sb.reset("--users", "100", "--time-scale", "0.01")
    from wsctl.aws.creates import CreateCalls

    original = CreateCalls.create_workspaces
    theirs: list[str] = []

    def other_run_first(self: Any, requests: Any, *args: Any, **kwargs: Any) -> Any:
        answer = sb.client().create_workspaces(Workspaces=[sb.request(seed, u) for u in users[:25]])
        answer2 = sb.client().create_workspaces(Workspaces=[sb.request(seed, u) for u in users[25:30]])
        theirs.extend(w["WorkspaceId"] for w in answer["PendingRequests"] + answer2["PendingRequests"])
        return original(self, requests, *args, **kwargs)

    monkeypatch.setattr(CreateCalls, "create_workspaces", other_run_first)
    run = wsctl("--sandbox", "create", "-f", _fleet(tmp_path, seed, users), "--yes", "-o", "json")
    assert run.exit_code == 0, run.stderr[-2000:]
    data = run.json()
    assert sorted(w["WorkspaceId"] for w in data["Existing"]) == sorted(theirs)
    assert sorted(w["UserName"] for w in data["PendingRequests"]) == users[30:]
    assert data["FailedRequests"] == []
    assert "responses were lost" not in run.stderr
    assert "30 WorkSpaces in this batch were created meanwhile by another run" in run.stderr


def _subprocess_env(rate: str, burst: str) -> dict[str, str]:
    return {**os.environ, "WSCTL_MAX_RATE": rate, "WSCTL_BURST": burst}


def test_two_processes_running_the_same_batch_each_say_what_they_created(tmp_path):
    users = _users(150)
    seed = sb.reset("--users", "150", "--time-scale", "0.01")
    fleet = _fleet(tmp_path, seed, users)
    command = [sys.executable, "-m", "wsctl", "--sandbox", "create", "-f", fleet, "--yes", "-o", "json"]
    env = _subprocess_env("3", "1")
    pipe = subprocess.PIPE
    procs = [subprocess.Popen(command, stdout=pipe, stderr=pipe, text=True, env=env) for _ in "ab"]
    results = [p.communicate(timeout=60) for p in procs]
    outs = []
    for proc, (stdout, stderr) in zip(procs, results, strict=True):
        assert proc.returncode == 0, stderr[-2000:]
        assert "responses were lost" not in stderr
        outs.append(json.loads(stdout))
    held = _sandbox_holds(seed)
    assert sorted(held) == users and all(len(ids) == 1 for ids in held.values())
    mine = [{w["WorkspaceId"] for w in out["PendingRequests"]} for out in outs]
    assert not mine[0] & mine[1]  # no WorkSpace claimed by both
    assert mine[0] | mine[1] == {ids[0] for ids in held.values()}
    for me, other in ((0, 1), (1, 0)):
        assert {w["WorkspaceId"] for w in outs[me]["Existing"]} == mine[other]
        assert _reported(outs[me]) == Counter(users)


# --- state directories ---------------------------------------------------------------------------


def test_a_state_home_that_is_a_file_stops_before_anything_is_sent(tmp_path, monkeypatch):
    seed = sb.reset("--users", "5")
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    run = wsctl(*sb.create_args(seed, "user0001", "user0002"), "--yes")
    assert run.exit_code == 1
    assert "unexpected" not in run.stderr
    assert str(blocker) in run.stderr and "nothing was sent" in run.stderr
    assert sb.counts().get("CreateWorkspaces", 0) == 0


def test_a_read_only_state_dir_stops_before_anything_is_sent(tmp_path, monkeypatch):
    # Tests run as root, where chmod stops no write: refuse the record's file as a read-only folder would.
    seed = sb.reset("--users", "5")
    runs = tmp_path / "state" / "wsctl" / "runs"
    real_open = os.open

    def read_only(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path).startswith(str(runs)) and flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    run = wsctl(*sb.create_args(seed, "user0001"), "--yes")
    assert run.exit_code == 1
    assert "unexpected" not in run.stderr
    assert str(runs) in run.stderr and "Permission denied" in run.stderr and "nothing was sent" in run.stderr
    assert sb.counts().get("CreateWorkspaces", 0) == 0


def test_a_full_disk_mid_batch_still_reports_every_created_workspace(tmp_path, monkeypatch):
    users = _users(200)
    seed = sb.reset("--users", "200", "--time-scale", "0.01")
    real_fsync = os.fsync
    synced = []

    def fills_up(fd: int) -> None:
        synced.append(fd)
        if len(synced) > 4:  # start, plan and a couple of calls fit on the disk
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fills_up)
    run = wsctl("--sandbox", "--max-rate", "1000", "create", "-f", _fleet(tmp_path, seed, users), "--yes", "-o", "json")
    assert run.exit_code == 0, run.stderr[-2000:]
    data = run.json()
    assert sorted(w["UserName"] for w in data["PendingRequests"]) == users
    assert "unexpected" not in run.stderr
    assert "run record" in run.stderr and "incomplete" in run.stderr and "No space left on device" in run.stderr
    assert "Created 200, existing 0, failed 0" in run.stderr


def test_state_directories_are_created_owner_only(tmp_path, monkeypatch):
    seed = sb.reset("--users", "5")
    home = tmp_path / "fresh-state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    old = os.umask(0o022)
    try:
        run = wsctl(*sb.create_args(seed, "user0001"), "--yes")
    finally:
        os.umask(old)
    assert run.exit_code == 0, run.stderr
    for folder in (home, home / "wsctl", home / "wsctl" / "runs"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


# --- Ctrl-C ---------------------------------------------------------------------------------------


def _record_events(state: Path) -> list[dict[str, Any]]:
    from wsctl.ops.runrecord import read_record

    runs = state / "wsctl" / "runs"
    return [e for r in sorted(runs.glob("*-create-*.jsonl")) for e in read_record(r)] if runs.exists() else []


@pytest.mark.timeout(120)
def test_ctrl_c_with_lost_responses_counts_every_workspace_that_exists(tmp_path):
    import signal
    import time

    users = _users(300)
    seed = sb.reset("--users", "300", "--time-scale", "0.01", "--lost-response-rate", "0.3", "--seed", "5")
    fleet = _fleet(tmp_path, seed, users)
    command = [sys.executable, "-m", "wsctl", "--sandbox", "create", "-f", fleet, "--yes", "-o", "json"]
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=_subprocess_env("4", "1"))
    deadline = time.monotonic() + 60
    while sum(1 for e in _record_events(tmp_path / "state") if e["event"] == "response") < 5:
        assert proc.poll() is None and time.monotonic() < deadline, err.read_text()
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    text = err.read_text()
    assert "Traceback" not in text
    held = _sandbox_holds(seed)
    assert 0 < len(held) < 300 and all(len(ids) == 1 for ids in held.values())
    printed = json.loads(out.read_text())
    assert {w["WorkspaceId"] for w in printed["PendingRequests"]} == {ids[0] for ids in held.values()}
    assert not {f["WorkspaceRequest"]["UserName"] for f in printed["FailedRequests"]} & set(held)
    assert f"interrupted: {len(held):,} of 300 WorkSpaces were created" in text
    # The lost responses really happened before the stop.
    assert any(e.get("maybe_done") for e in _record_events(tmp_path / "state") if e["event"] == "response")


def test_ctrl_c_during_the_lookup_after_the_last_call_still_prints_the_summary(tmp_path, monkeypatch):
    # Another run made 30 of the WorkSpaces meanwhile; Ctrl-C comes while they are looked up.
    users = _users(100)
    seed = sb.reset("--users", "100", "--time-scale", "0.01")
    from wsctl.aws.creates import CreateCalls

    original_create, original_find = CreateCalls.create_workspaces, CreateCalls.find_existing
    lookups = []

    def other_run_first(self: Any, requests: Any, *args: Any, **kwargs: Any) -> Any:
        for chunk in (users[:25], users[25:30]):
            sb.client().create_workspaces(Workspaces=[sb.request(seed, u) for u in chunk])
        return original_create(self, requests, *args, **kwargs)

    def interrupted_second_lookup(self: Any, *args: Any, **kwargs: Any) -> Any:
        lookups.append(args)
        if len(lookups) == 2:
            raise KeyboardInterrupt
        return original_find(self, *args, **kwargs)

    monkeypatch.setattr(CreateCalls, "create_workspaces", other_run_first)
    monkeypatch.setattr(CreateCalls, "find_existing", interrupted_second_lookup)
    run = wsctl("--sandbox", "create", "-f", _fleet(tmp_path, seed, users), "--yes", "-o", "json")
    assert run.exit_code == 130
    data = run.json()
    assert sorted(w["UserName"] for w in data["PendingRequests"]) == users[30:]
    assert data["FailedRequests"] == []  # not known to have failed: they were being looked up
    assert sorted(f["WorkspaceRequest"]["UserName"] for f in data["Unconfirmed"]) == users[:30]
    assert "Created at least 70, existing 0, failed 0, unconfirmed 30" in run.stderr
    assert "interrupted: at least 70 of 100 WorkSpaces were created" in run.stderr


def test_the_resume_command_gives_the_ids_inline_when_the_state_dir_cannot_be_written(tmp_path, monkeypatch):
    import io

    from wsctl.context import AppContext
    from wsctl.ops.waiting import resume_command
    from wsctl.options import GlobalOptions

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    err = io.StringIO()
    ids = [f"ws-{n:09d}" for n in range(12)]
    command = resume_command(AppContext(GlobalOptions(sandbox=True), stderr=err), ids)
    assert command == "wsctl --sandbox describe " + " ".join(f"--id {i}" for i in ids) + " --wait"
    assert "could not save the pending IDs" in err.getvalue() and str(blocker) in err.getvalue()


def test_sustained_throttling_is_retried_on_every_call_not_only_the_first_few_dozen(monkeypatch):
    # botocore's retry quota (a circuit breaker for clients that do not pace themselves) would
    # empty after about thirty calls at 80% throttling; from then on each call failed at its first
    # throttled attempt. wsctl paces every attempt, so every call gets its --max-attempts.
    from botocore.exceptions import ClientError
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    sb.reset("--throttle-rate", "0.8", "--seed", "1")
    c = sb.client(max_attempts=12)
    failures = 0
    for _ in range(100):
        try:
            c.describe_workspace_directories()
        except ClientError:
            failures += 1
    assert failures <= 20  # 0.8 ** 12 ~ 7% each


def test_a_full_disk_before_the_first_call_stops_before_anything_is_sent(monkeypatch):
    seed = sb.reset("--users", "5")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    run = wsctl(*sb.create_args(seed, "user0001"), "--yes")
    assert run.exit_code == 1
    assert "unexpected" not in run.stderr
    assert "No space left on device" in run.stderr and "nothing was sent" in run.stderr
    assert sb.counts().get("CreateWorkspaces", 0) == 0
