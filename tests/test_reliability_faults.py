"""A 300-WorkSpace batch through throttling, server errors and lost responses: every WorkSpace once, none twice.

`sandbox reset --throttle-rate 0.3 --server-error-rate 0.05 --lost-response-rate 0.05`
answers 30% of requests ThrottlingException, 5% HTTP 500 before doing anything, and 5%
HTTP 500 after doing the work (the answer is lost: a retried create then meets
`ResourceExists.WorkSpace`). The batch must still end with exit 0, each of the 300 users
reported once among PendingRequests, none failed, and exactly one WorkSpace per user in
the directory. The same again at AWS's documented rate limit (2 requests/s, bursts of 5)
with the client's default pacing (about 10 seconds).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests import sandbox_support as sb
from tests.helpers import wsctl
from wsctl.ops.runrecord import read_record, runs_dir

USERS = [f"user{n:04d}" for n in range(1, 301)]
FAULTS = ("--throttle-rate", "0.3", "--server-error-rate", "0.05", "--lost-response-rate", "0.05")


def _fleet(tmp_path: Path, seed: dict[str, Any]) -> str:
    path = tmp_path / "fleet.yaml"
    path.write_text(
        "defaults:\n"
        f"  directory_id: {sb.primary_directory(seed)['DirectoryId']}\n"
        f"  bundle_id: {sb.bundle_id(seed)}\n"
        "  running_mode: AUTO_STOP\n"
        "workspaces:\n" + "".join(f"  - user: {u}\n" for u in USERS)
    )
    return str(path)


def _directory_users(seed: dict[str, Any]) -> Counter[str]:
    """Every WorkSpace in the directory, read with a fault-free client after the run."""
    from wsctl.sandbox.store import Store

    Store().update_settings(throttle_rate=0.0, server_error_rate=0.0, lost_response_rate=0.0, rate_limit=None)
    pages = (
        sb.client().get_paginator("describe_workspaces").paginate(DirectoryId=sb.primary_directory(seed)["DirectoryId"])
    )
    return Counter(w["UserName"] for page in pages for w in page["Workspaces"])


def _check_the_batch(run: Any, seed: dict[str, Any]) -> dict[str, int]:
    assert run.exit_code == 0, run.stderr[-3000:]
    data = run.json()
    assert data["FailedRequests"] == []
    reported = Counter(w["UserName"] for w in data["PendingRequests"])
    assert sorted(reported) == USERS and set(reported.values()) == {1}  # all 300, each once
    assert len({w["WorkspaceId"] for w in data["PendingRequests"]}) == 300
    assert data["Existing"] == []
    counts = sb.counts()  # read before the check below changes the settings
    created = _directory_users(seed)
    assert sorted(created) == USERS and set(created.values()) == {1}  # none created twice
    # The run record has every ID too (recovered ones included).
    [record] = runs_dir().glob("*-create-*.jsonl")
    events = read_record(record)
    recorded = {w["WorkspaceId"] for e in events if e["event"] == "response" for w in e["PendingRequests"]}
    recorded |= {e["Workspace"]["WorkspaceId"] for e in events if e["event"] == "recovered"}
    assert recorded == {w["WorkspaceId"] for w in data["PendingRequests"]}
    return counts


@pytest.mark.parametrize("seed_number", ["1", "2"])
def test_300_workspaces_through_throttling_server_errors_and_lost_responses(tmp_path, seed_number):
    seed = sb.reset("--users", "300", "--time-scale", "0.01", *FAULTS, "--seed", seed_number)
    run = wsctl("--sandbox", "create", "-f", _fleet(tmp_path, seed), "--yes", "-o", "json")
    counts = _check_the_batch(run, seed)
    # The faults really happened: 12 calls took more requests than that.
    assert counts["CreateWorkspaces"] > 12
    assert "responses were lost" in run.stderr or counts["CreateWorkspaces"] > 14


def test_300_workspaces_through_faults_at_awss_rate_limit_with_default_pacing(tmp_path, monkeypatch):
    # The client's own default: 2 calls/s, bursts of 5 (the conftest fixture sets them high).
    monkeypatch.delenv("WSCTL_MAX_RATE")
    monkeypatch.delenv("WSCTL_BURST")
    seed = sb.reset("--users", "300", "--time-scale", "0.01", "--rate-limit", "2", "--burst", "5", *FAULTS)
    run = wsctl("--sandbox", "create", "-f", _fleet(tmp_path, seed), "--yes", "-o", "json")
    counts = _check_the_batch(run, seed)
    assert counts["CreateWorkspaces"] > 12
