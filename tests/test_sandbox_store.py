"""The sandbox database: where it lives, how it seeds itself, and several writers at once."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from tests import sandbox_support as sb
from tests.helpers import wsctl
from wsctl.sandbox.store import SCHEMA_VERSION, SandboxUnavailable, Store, default_db_path


def test_default_path_follows_xdg_state_home(monkeypatch, tmp_path):
    monkeypatch.delenv("WSCTL_SANDBOX_DB")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "wsctl" / "sandbox.sqlite3"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert default_db_path() == Path.home() / ".local" / "state" / "wsctl" / "sandbox.sqlite3"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/dir")  # invalid per the XDG spec: ignored
    assert default_db_path() == Path.home() / ".local" / "state" / "wsctl" / "sandbox.sqlite3"


def test_first_command_creates_a_private_directory_and_file(monkeypatch, tmp_path):
    monkeypatch.delenv("WSCTL_SANDBOX_DB")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    run = wsctl("--sandbox", "describe", "-o", "json")
    assert run.exit_code == 0, run.stderr
    db = tmp_path / "xdg" / "wsctl" / "sandbox.sqlite3"
    assert db.exists()
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert Store(db).info()["Requests"] == {"DescribeWorkspaces": 1}


def test_wsctl_sandbox_db_points_anywhere(monkeypatch, tmp_path):
    target = tmp_path / "elsewhere" / "my.db"
    monkeypatch.setenv("WSCTL_SANDBOX_DB", str(target))
    assert wsctl("sandbox", "reset", "--users", "2").exit_code == 0
    assert target.exists()
    assert json.loads(wsctl("sandbox", "info", "-o", "json").stdout)["Settings"]["Database"] == str(target)


def test_database_is_in_wal_mode(tmp_path):
    Store().info()
    conn = sqlite3.connect(tmp_path / "sandbox.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_a_file_with_a_stray_table_and_an_old_version_number_is_not_taken_for_an_old_sandbox(tmp_path):
    path = tmp_path / "sandbox.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE workspaces (id TEXT)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SandboxUnavailable, match="is not a wsctl sandbox"):
        Store().info()
    assert path.read_bytes() == before  # not re-seeded over: tests/test_sandbox_file.py has the rest


def test_same_seed_same_ids_other_seed_other_ids_but_the_same_catalogue(monkeypatch):
    sb.fake_clock(monkeypatch)

    def snapshot(*args):
        seed = sb.reset(*args)
        created = sb.client().create_workspaces(Workspaces=[sb.request(seed, "user0001")])["PendingRequests"]
        return (
            [d["DirectoryId"] for d in seed["Directories"]],
            [b["BundleId"] for b in seed["Bundles"]],
            [a["ImageId"] for a in seed["Ec2Images"]],
            created[0]["WorkspaceId"],
        )

    first = snapshot("--seed", "5")
    assert snapshot("--seed", "5") == first
    other = snapshot("--seed", "6")
    # Directories, bundles and AMIs keep their IDs (examples and docs name them) ...
    assert first[:3] == other[:3]
    # ... while what is created afterwards differs with the seed.
    assert first[3] != other[3]


def test_reset_wipes_the_state_and_the_counters(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    c.create_workspaces(Workspaces=[sb.request(seed, "user0001")])
    clock.advance(1)
    assert c.describe_workspaces()["Workspaces"]
    sb.reset("--users", "3")
    assert sb.counts() == {}
    assert c.describe_workspaces()["Workspaces"] == []
    assert len(sb.primary_directory(sb.info())["UserNames"]) == 3


_WORKER = textwrap.dedent(
    """
    import json, sys
    from wsctl.aws.clients import build_client
    from wsctl.options import GlobalOptions
    from wsctl.aws.ratelimit import TokenBucket

    directory, bundle, first = sys.argv[1], sys.argv[2], int(sys.argv[3])
    options = GlobalOptions(sandbox=True, max_rate=1000, burst=1000, max_attempts=1)
    client = build_client(options, TokenBucket(1000, 1000))
    created = []
    for n in range(first, first + 25):
        answer = client.create_workspaces(
            Workspaces=[{"DirectoryId": directory, "UserName": f"user{n:04d}", "BundleId": bundle}]
        )
        assert not answer["FailedRequests"], answer["FailedRequests"]
        created += [w["WorkspaceId"] for w in answer["PendingRequests"]]
    print(json.dumps(created))
    """
)


def test_four_processes_creating_at_once_lose_nothing():
    seed = sb.reset("--users", "100", "--time-scale", "0")
    directory, bundle = sb.primary_directory(seed)["DirectoryId"], sb.bundle_id(seed)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, directory, bundle, str(1 + 25 * k)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        for k in range(4)
    ]
    created = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        created += json.loads(out)
    assert len(created) == len(set(created)) == 100
    found = [w for p in sb.client().get_paginator("describe_workspaces").paginate() for w in p["Workspaces"]]
    assert sorted(w["WorkspaceId"] for w in found) == sorted(created)
    assert sorted(w["UserName"] for w in found) == [f"user{n:04d}" for n in range(1, 101)]
    assert sb.counts() == {"CreateWorkspaces": 100, "DescribeWorkspaces": 4}


def test_processes_racing_on_a_missing_database_seed_it_once(tmp_path):
    code = textwrap.dedent(
        """
        from wsctl.aws.clients import build_client
        from wsctl.options import GlobalOptions
        from wsctl.aws.ratelimit import TokenBucket

        client = build_client(GlobalOptions(sandbox=True, max_attempts=1), TokenBucket(1000, 1000))
        print(client.describe_workspace_directories()["Directories"][0]["DirectoryId"])
        """
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    answers = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        answers.append(out.strip())
    assert len(set(answers)) == 1 and answers[0].startswith("d-")
    assert sb.counts() == {"DescribeWorkspaceDirectories": 4}


def test_threads_sharing_one_client_lose_nothing():
    seed = sb.reset("--users", "80", "--time-scale", "0")
    c = sb.client()
    created: list[str] = []
    lock = threading.Lock()

    def work(first):
        for n in range(first, first + 10):
            answer = c.create_workspaces(Workspaces=[sb.request(seed, f"user{n:04d}")])
            with lock:
                created.extend(w["WorkspaceId"] for w in answer["PendingRequests"])

    threads = [threading.Thread(target=work, args=(1 + 10 * k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(created)) == 80
    found = [w for p in c.get_paginator("describe_workspaces").paginate() for w in p["Workspaces"]]
    assert sorted(w["WorkspaceId"] for w in found) == sorted(created)
    assert sb.counts()["CreateWorkspaces"] == 80
