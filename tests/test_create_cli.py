"""`wsctl create` end to end on the sandbox: the real command, the real client, the sandbox behind it."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from tests import sandbox_support as sb
from tests.helpers import wsctl
from wsctl.ops.runrecord import read_record, runs_dir

FAST = ("--time-scale", "0.02")


def fleet(tmp_path: Path, seed: dict, users: list[str], **defaults) -> str:
    directory = sb.primary_directory(seed)["DirectoryId"]
    lines = ["defaults:", f"  directory_id: {directory}", f"  bundle_id: {sb.bundle_id(seed)}"]
    lines += [f"  {k}: {v}" for k, v in defaults.items()]
    lines += ["workspaces:", f"  - users: [{', '.join(users)}]"]
    path = tmp_path / "fleet.yaml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def created_users(directory: str) -> list[str]:
    run = wsctl("--sandbox", "describe", "--directory-id", directory, "-o", "json")
    assert run.exit_code == 0, run.stderr
    return sorted(w["UserName"] for w in run.json()["Workspaces"])


def test_create_from_yaml_then_rerun_creates_nothing_twice(tmp_path):
    seed = sb.reset(*FAST)
    users = [f"user{i:04d}" for i in range(1, 31)]
    path = fleet(tmp_path, seed, users)
    first = wsctl("--sandbox", "create", "-f", path, "--yes", "-o", "json")
    assert first.exit_code == 0, first.stderr
    data = first.json()
    assert sorted(w["UserName"] for w in data["PendingRequests"]) == users
    assert data["FailedRequests"] == [] and data["Existing"] == []
    assert sb.counts()["CreateWorkspaces"] == 2  # 30 = 25 + 5
    again = wsctl("--sandbox", "create", "-f", path, "--yes", "-o", "json")
    assert again.exit_code == 0, again.stderr
    assert again.json()["PendingRequests"] == []
    assert sorted(w["UserName"] for w in again.json()["Existing"]) == users
    assert sb.counts()["CreateWorkspaces"] == 2  # nothing sent the second time
    assert created_users(sb.primary_directory(seed)["DirectoryId"]) == users
    assert "Nothing to create" in again.stderr


def test_partial_failure_exits_3_with_a_hint_and_rerun_finishes(tmp_path):
    seed = sb.reset(*FAST)
    path = fleet(tmp_path, seed, ["user0001", "nobody-here", "user0002"])
    run = wsctl("--sandbox", "create", "-f", path, "--yes")
    assert run.exit_code == 3
    assert "ResourceNotFound.User" in run.stdout
    assert "the user must exist in the directory" in run.stdout
    assert "failed 1" in run.stderr
    data = wsctl("--sandbox", "create", "-f", path, "--yes", "-o", "json")
    assert data.exit_code == 3
    assert [f["WorkspaceRequest"]["UserName"] for f in data.json()["FailedRequests"]] == ["nobody-here"]
    assert len(data.json()["Existing"]) == 2


def test_invalid_input_sends_nothing(tmp_path):
    seed = sb.reset(*FAST)
    path = fleet(tmp_path, seed, ["user0001", "user0002"], running_mode="ALWAYS-ON")
    before = sb.counts()
    run = wsctl("--sandbox", "create", "-f", path, "--yes")
    assert run.exit_code == 2
    assert f"{path}:4:3: defaults.running_mode: 'ALWAYS-ON' is not one of" in run.stderr
    assert "Nothing was sent." in run.stderr
    assert sb.counts() == before
    assert "Traceback" not in run.stderr


def test_dry_run_shows_the_plan_and_sends_no_create(tmp_path):
    seed = sb.reset(*FAST)
    directory = sb.primary_directory(seed)["DirectoryId"]
    assert (
        wsctl(
            "--sandbox", "create", "--directory-id", directory, "--bundle-id", sb.bundle_id(seed), "--user", "user0001"
        ).exit_code
        == 0
    )
    path = fleet(tmp_path, seed, ["user0001", "user0002", "user0003"])
    run = wsctl("--sandbox", "create", "-f", path, "--dry-run", "-o", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert [r["UserName"] for r in data["Requests"]] == ["user0002", "user0003"]
    assert [w["UserName"] for w in data["Existing"]] == ["user0001"]
    assert data["CreateWorkspacesCalls"] == 1
    assert sb.counts()["CreateWorkspaces"] == 1  # only the single create above
    table = wsctl("--sandbox", "create", "-f", path, "--dry-run")
    assert "Dry run: 2 WorkSpaces to create in 1 CreateWorkspaces call" in table.stderr
    assert "SANDBOX" in table.stdout


def test_more_than_one_item_without_a_terminal_needs_yes(tmp_path):
    seed = sb.reset(*FAST)
    path = fleet(tmp_path, seed, ["user0001", "user0002"])
    run = wsctl("--sandbox", "create", "-f", path)
    assert run.exit_code == 2
    assert "--yes" in run.stderr
    assert sb.counts().get("CreateWorkspaces", 0) == 0
    single = wsctl(
        "--sandbox",
        "create",
        "--directory-id",
        sb.primary_directory(seed)["DirectoryId"],
        "--bundle-id",
        sb.bundle_id(seed),
        "--user",
        "user0003",
    )
    assert single.exit_code == 0  # one item goes ahead


def test_manual_warns_and_a_non_core_account_refuses_it(tmp_path):
    seed = sb.reset(*FAST, "--no-core")
    path = fleet(tmp_path, seed, ["user0001", "user0002"], running_mode="MANUAL")
    run = wsctl("--sandbox", "create", "-f", path, "--yes")
    assert "warning: running mode MANUAL needs an Amazon WorkSpaces Core account" in run.stderr
    assert run.exit_code == 3
    assert "MANUAL needs an allow-listed WorkSpaces Core account" in run.stdout


def test_ids_output_and_csv_from_stdin(tmp_path):
    seed = sb.reset(*FAST)
    directory = sb.primary_directory(seed)["DirectoryId"]
    bundle = sb.bundle_id(seed)
    csv_text = f"\ufeffuser,bundle_id,tags\nuser0001,{bundle},team=a;site=b\nuser0002,{bundle},\n"
    run = wsctl("--sandbox", "create", "--directory-id", directory, "-f", "-", "--yes", "-o", "ids", input=csv_text)
    assert run.exit_code == 0, run.stderr
    ids = run.stdout.split()
    assert len(ids) == 2 and all(i.startswith("ws-") for i in ids)
    again = wsctl("--sandbox", "create", "--directory-id", directory, "-f", "-", "--yes", "-o", "ids", input=csv_text)
    assert sorted(again.stdout.split()) == sorted(ids)  # existing IDs are printed too


def test_the_run_record_holds_every_request_and_id_and_is_private(tmp_path):
    seed = sb.reset(*FAST)
    path = fleet(tmp_path, seed, [f"user{i:04d}" for i in range(1, 28)])
    run = wsctl("--sandbox", "create", "-f", path, "--yes", "-o", "json")
    assert run.exit_code == 0
    records = list(runs_dir().glob("*-create-*.jsonl"))
    assert len(records) == 1
    assert str(records[0]) in run.stderr
    assert stat.S_IMODE(os.stat(records[0]).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(runs_dir()).st_mode) == 0o700
    events = read_record(records[0])
    assert [e["event"] for e in events][0] == "start" and events[-1]["event"] == "end"
    recorded = {w["WorkspaceId"] for e in events if e["event"] == "response" for w in e["PendingRequests"]}
    assert recorded == {w["WorkspaceId"] for w in run.json()["PendingRequests"]}


def test_a_thousand_users_take_forty_calls(tmp_path):
    seed = sb.reset(*FAST, "--users", "1000")
    users = [f"user{i:04d}" for i in range(1, 1001)]
    path = fleet(tmp_path, seed, users)
    run = wsctl("--sandbox", "create", "-f", path, "--yes", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert len(run.json()["PendingRequests"]) == 1000
    counts = sb.counts()
    assert counts["CreateWorkspaces"] == 40
    assert counts["DescribeWorkspaces"] == 1  # the empty directory is read once


def test_lost_responses_are_reported_as_created_not_failed(tmp_path):
    seed = sb.reset(*FAST, "--lost-response-rate", "0.4", "--seed", "3")
    users = [f"user{i:04d}" for i in range(1, 51)]
    path = fleet(tmp_path, seed, users)
    run = wsctl("--sandbox", "create", "-f", path, "--yes", "-o", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["FailedRequests"] == []
    reported = [w["UserName"] for w in data["PendingRequests"]]
    assert sorted(reported) == users  # each exactly once
    assert created_users(sb.primary_directory(seed)["DirectoryId"]) == users  # none created twice
    assert "responses were lost" in run.stderr


def test_wait_until_available_and_json_carries_final_states(tmp_path):
    seed = sb.reset(*FAST)
    path = fleet(tmp_path, seed, [f"user{i:04d}" for i in range(1, 6)])
    run = wsctl("--sandbox", "create", "-f", path, "--yes", "--wait", "--poll-interval", "0.1", "-o", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert {w["State"] for w in data["Workspaces"]} == {"AVAILABLE"}
    assert len(data["PendingRequests"]) == 5
    assert "-> AVAILABLE" in run.stderr  # one plain line per change off a terminal


def test_wait_on_the_failing_bundle_exits_3(tmp_path):
    seed = sb.reset(*FAST)
    directory = sb.primary_directory(seed)["DirectoryId"]
    run = wsctl(
        "--sandbox",
        "create",
        "--directory-id",
        directory,
        "--bundle-id",
        sb.failing_bundle_id(seed),
        "--user",
        "user0001",
        "--wait",
        "--poll-interval",
        "0.1",
    )
    assert run.exit_code == 3, run.stderr
    assert "ERROR" in run.stdout


def test_wait_timeout_exits_4_and_says_how_to_resume(tmp_path):
    seed = sb.reset("--time-scale", "0.3")  # creation takes 1.5 s
    directory = sb.primary_directory(seed)["DirectoryId"]
    run = wsctl(
        "--sandbox",
        "create",
        "--directory-id",
        directory,
        "--bundle-id",
        sb.bundle_id(seed),
        "--user",
        "user0001",
        "--wait",
        "--timeout",
        "0.2",
        "--poll-interval",
        "0.1",
    )
    assert run.exit_code == 4, run.stderr
    assert "still pending" in run.stderr
    # The command it prints goes to the same backend: run as printed, it picks the wait up.
    resume = next(line for line in run.stderr.splitlines() if line.startswith("To keep waiting: "))
    assert resume.startswith("To keep waiting: wsctl --sandbox describe --id ws-") and resume.endswith("--wait")
    args = resume.removeprefix("To keep waiting: wsctl ").split()
    again = wsctl(*args, "--poll-interval", "0.1", "-o", "json")
    assert again.exit_code == 0, again.stderr
    assert [w["State"] for w in again.json()["Workspaces"]] == ["AVAILABLE"]


def test_debug_never_prints_the_credentials(tmp_path, monkeypatch):
    seed = sb.reset(*FAST)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token-very-secret")
    path = fleet(tmp_path, seed, ["user0001"])
    run = wsctl("--sandbox", "--debug", "create", "-f", path, "--yes", "-o", "json")
    assert run.exit_code == 0
    assert "debug: CreateWorkspaces" in run.stderr
    everything = run.stdout + run.stderr + "".join(p.read_text() for p in runs_dir().glob("*.jsonl"))
    for secret in (
        os.environ["AWS_SECRET_ACCESS_KEY"],
        "session-token-very-secret",
        "Signature=",
        "wsctl-sandbox-secret",
        "Authorization",
    ):
        assert secret not in everything
    json.loads(run.stdout)


def test_a_bad_tag_is_reported_with_every_other_problem(tmp_path):
    seed = sb.reset(*FAST)
    run = wsctl(
        "--sandbox",
        "create",
        "--directory-id",
        sb.primary_directory(seed)["DirectoryId"],
        "--bundle-id",
        sb.bundle_id(seed),
        "--user",
        "user0001",
        "--running-mode",
        "ALWAYS-ON",
        "--tag",
        "novalue",
    )
    assert run.exit_code == 2
    assert "--tag: 'novalue' is not KEY=VALUE" in run.stderr
    assert "--running-mode: 'ALWAYS-ON' is not one of" in run.stderr
    assert "2 problems found; nothing was sent." in run.stderr


def test_a_hundred_workspaces_settle_with_fewer_than_sixty_describe_calls(tmp_path):
    seed = sb.reset("--time-scale", "0.2", "--users", "100")  # about a second to AVAILABLE
    path = fleet(tmp_path, seed, [f"user{i:04d}" for i in range(1, 101)])
    run = wsctl("--sandbox", "create", "-f", path, "--yes", "--wait", "--poll-interval", "0.3", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert len(run.json()["Workspaces"]) == 100
    calls = sb.counts()["DescribeWorkspaces"]
    assert calls < 60, calls  # 1 lookup + 4 calls a round while all 100 are unsettled, fewer as they settle


def test_sigint_during_a_wait_exits_130_with_the_pending_ids_and_how_to_resume(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    seed = sb.reset("--time-scale", "100")  # nothing settles during the test
    path = fleet(tmp_path, seed, ["user0001", "user0002"])
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wsctl",
            "--sandbox",
            "create",
            "-f",
            path,
            "--yes",
            "--wait",
            "--poll-interval",
            "0.2",
            "-o",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 30
    seen = ""
    while "waiting for" not in seen and time.monotonic() < deadline:
        seen += proc.stderr.readline()
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    err = seen + err
    assert proc.returncode == 130, err
    created = json.loads(out)["PendingRequests"]
    assert len(created) == 2  # stdout still holds the data
    for ws in created:
        assert ws["WorkspaceId"] in err
    assert "Stopping…" in err and "Stopped after" in err and "2 still PENDING." in err
    assert "To keep waiting: wsctl --sandbox describe --id" in err
