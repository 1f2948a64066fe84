"""Ctrl-C and SIGKILL in the middle of a 1,000-WorkSpace create, and the rerun that finishes it.

The run is the real command as a subprocess (`python -m wsctl --sandbox create -f
big.yaml --yes -o json`) paced by the client's default rate limit (2 calls/s, bursts of
5), so its 40 CreateWorkspaces calls take about 20 seconds and there is a middle to hit.

What is asserted, and why:
- SIGINT: calls already in flight finish and are recorded, calls not started are dropped;
  the process exits 130 and prints what was created. So the run record (JSON Lines under
  $XDG_STATE_HOME/wsctl/runs/) holds exactly the WorkSpaces that exist.
- SIGKILL: nothing runs after the kill. Every call whose answer reached wsctl was recorded
  (each answer is written and fsynced as it arrives), so every recorded ID exists. A call
  in flight at the kill may have created its WorkSpaces without wsctl ever seeing the
  answer; those cannot be in the record as IDs, but their users are, in that call's
  `send` event (written before sending). So: recorded IDs <= existing WorkSpaces <=
  recorded IDs + users of sends that have no response.
- Either way, rerunning the same command creates only what is missing: 1,000 WorkSpaces,
  one per user, and the rerun reports the earlier ones as existing.

These take about a minute together: marked slow (`python -m pytest -m slow`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests import sandbox_support as sb
from wsctl.aws.service import DEFAULT_WORKERS
from wsctl.ops.runrecord import read_record, runs_dir

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

USERS = [f"user{n:04d}" for n in range(1, 1001)]


@pytest.fixture(autouse=True)
def _slow_only_when_asked(request: pytest.FixtureRequest) -> None:
    # Until pytest's addopts deselect `slow` by default, these run only when -m names them.
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("slow: run with -m slow")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("WSCTL_MAX_RATE")  # the client's default pacing: 2 calls/s, bursts of 5
    env.pop("WSCTL_BURST")
    return env


def _fleet(tmp_path: Path, seed: dict[str, Any]) -> Path:
    path = tmp_path / "big.yaml"
    path.write_text(
        "defaults:\n"
        f"  directory_id: {sb.primary_directory(seed)['DirectoryId']}\n"
        f"  bundle_id: {sb.bundle_id(seed)}\n"
        "workspaces:\n" + "".join(f"  - user: {u}\n" for u in USERS)
    )
    return path


def _command(path: Path) -> list[str]:
    return [sys.executable, "-m", "wsctl", "--sandbox", "create", "-f", str(path), "--yes", "-o", "json"]


def _record_events() -> list[dict[str, Any]]:
    records = sorted(runs_dir().glob("*-create-*.jsonl")) if runs_dir().exists() else []
    return [e for r in records for e in read_record(r)]


def _start_and_wait_for_responses(path: Path, tmp_path: Path, responses: int) -> subprocess.Popen[bytes]:
    out, err = open(tmp_path / "out.txt", "wb"), open(tmp_path / "err.txt", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(_command(path), stdout=out, stderr=err, env=_env(), start_new_session=True)
    out.close()
    err.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if sum(1 for e in _record_events() if e["event"] == "response") >= responses:
            return proc
        assert proc.poll() is None, (tmp_path / "err.txt").read_text()
        time.sleep(0.05)
    proc.kill()
    pytest.fail("the run never got that far")


def _workspaces(directory: str) -> list[dict[str, Any]]:
    pages = sb.client().get_paginator("describe_workspaces").paginate(DirectoryId=directory)
    return [w for page in pages for w in page["Workspaces"]]


def _recorded(events: list[dict[str, Any]]) -> set[str]:
    ids = {w["WorkspaceId"] for e in events if e["event"] == "response" for w in e["PendingRequests"]}
    return ids | {e["Workspace"]["WorkspaceId"] for e in events if e["event"] == "recovered"}


def _rerun_finishes_the_batch(path: Path, directory: str, created_before: int) -> None:
    started = time.monotonic()
    proc = subprocess.run(_command(path), capture_output=True, text=True, env=_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(proc.stdout)
    assert data["FailedRequests"] == []
    assert len(data["Existing"]) == created_before
    reported = Counter(w["UserName"] for w in data["PendingRequests"] + data["Existing"])
    assert sorted(reported) == USERS and set(reported.values()) == {1}
    existing = Counter(w["UserName"] for w in _workspaces(directory))
    assert sorted(existing) == USERS and set(existing.values()) == {1}  # 1,000 WorkSpaces, no duplicate
    # Only the missing ones were sent: ceil((1000 - created_before) / 25) calls at 2/s.
    remaining_calls = -(-(1000 - created_before) // 25)
    assert time.monotonic() - started < 30 + remaining_calls


def test_sigint_mid_batch_exits_130_keeps_every_id_and_a_rerun_finishes(tmp_path):
    seed = sb.reset("--users", "1000", "--time-scale", "0.01")
    directory = sb.primary_directory(seed)["DirectoryId"]
    path = _fleet(tmp_path, seed)
    proc = _start_and_wait_for_responses(path, tmp_path, responses=15)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 130
    stdout = (tmp_path / "out.txt").read_text()
    stderr = (tmp_path / "err.txt").read_text()
    assert "Traceback" not in stderr
    events = _record_events()
    recorded = _recorded(events)
    existing = {w["WorkspaceId"] for w in _workspaces(directory)}
    assert 15 * 25 <= len(existing) < 1000  # interrupted in the middle
    assert recorded == existing  # in-flight calls finished and were recorded; nothing else was sent
    assert events[-1]["event"] == "end" and events[-1]["interrupted"] is True
    # What was done is printed: the summary on stderr, every created ID on stdout.
    assert f"interrupted: {len(existing):,} of 1,000 WorkSpaces were created" in stderr
    printed = json.loads(stdout)
    assert {w["WorkspaceId"] for w in printed["PendingRequests"]} == existing
    assert printed["FailedRequests"] == []
    _rerun_finishes_the_batch(path, directory, len(existing))


def test_sigkill_mid_batch_loses_no_answered_id_and_a_rerun_finishes(tmp_path):
    seed = sb.reset("--users", "1000", "--time-scale", "0.01")
    directory = sb.primary_directory(seed)["DirectoryId"]
    path = _fleet(tmp_path, seed)
    proc = _start_and_wait_for_responses(path, tmp_path, responses=15)
    os.killpg(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    events = _record_events()
    recorded = _recorded(events)
    by_user = {w["UserName"]: w["WorkspaceId"] for w in _workspaces(directory)}
    existing = set(by_user.values())
    assert 15 * 25 <= len(recorded) and len(existing) < 1000
    assert recorded <= existing  # every answer that reached wsctl is in the record
    answered = {e["call"] for e in events if e["event"] == "response"}
    in_flight_users = {u for e in events if e["event"] == "send" and e["call"] not in answered for u in e["UserNames"]}
    unrecorded_users = {u for u, i in by_user.items() if i not in recorded}
    assert unrecorded_users <= in_flight_users  # created by a call whose answer the kill cut off
    assert len(in_flight_users) <= DEFAULT_WORKERS * 25  # at most one call per worker thread was in flight
    assert not any(e["event"] == "end" for e in events)
    _rerun_finishes_the_batch(path, directory, len(existing))
