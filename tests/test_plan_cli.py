"""`wsctl plan` and `wsctl apply` end to end on the sandbox: the issue's whole story at 300 WorkSpaces.

Calls are counted by the sandbox itself (its request counters), so "no changing call" is
what the service saw, not what wsctl says it sent.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests import sandbox_support as sb
from tests.helpers import Run, wsctl

FAST_RATE = ("--max-rate", "1000", "--burst", "1000")
CHANGING = (
    "CreateWorkspaces",
    "ModifyWorkspaceProperties",
    "CreateTags",
    "DeleteTags",
    "MigrateWorkspace",
    "TerminateWorkspaces",
)


def run(*args: str, input: str | None = None) -> Run:
    return wsctl("--sandbox", *FAST_RATE, *args, input=input)


def changing(counts: dict[str, int]) -> dict[str, int]:
    return {op: counts.get(op, 0) for op in CHANGING}


def fleet_yaml(path: Path, directory: str, bundle: str, users: list[str], extra: str = "") -> str:
    path.write_text(
        "defaults:\n"
        f"  directory_id: {directory}\n"
        f"  bundle_id: {bundle}\n"
        "  running_mode: AUTO_STOP\n"
        "  auto_stop_timeout: 60\n"
        "  tags: {team: finance}\n"
        "workspaces:\n"
        f"  - users: [{', '.join(users)}]\n" + extra
    )
    return str(path)


def standard_bundles(seed: dict[str, Any]) -> list[str]:
    return [
        b["BundleId"]
        for b in seed["Bundles"]
        if b["ComputeType"] == "STANDARD" and b["Owner"] == "AMAZON" and b["SandboxOutcome"] != "ERROR"
    ]


def by_user(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {item["UserName"]: item for item in data[key]}


def test_300_workspaces_applied_edited_converged_idempotent_pruned(tmp_path):
    seed = sb.reset(*sb.FAST, "--users", "320")
    directory = sb.primary_directory(seed)["DirectoryId"]
    standard = standard_bundles(seed)
    users = [f"user{i:04d}" for i in range(7, 301)]
    special = (
        "  - {user: user0001}\n  - {user: user0002}\n  - {user: user0003}\n  - {user: user0004}\n"
        "  - {user: user0005}\n  - {user: user0006, root_volume_size: 175, user_volume_size: 100}\n"
    )
    first = fleet_yaml(tmp_path / "fleet.yaml", directory, standard[0], users, special)

    planned = run("plan", "-f", first, "--detailed-exitcode", "-o", "json")
    assert planned.exit_code == 5, planned.stderr
    assert len(planned.json()["Create"]) == 300 and planned.json()["Calls"] == {"CreateWorkspaces": 12}
    assert sb.counts() == {"DescribeWorkspaces": 1}  # an empty directory: one page, no tags to read

    applied = run("apply", "-f", first, "--yes", "--wait", "--poll-interval", "0.05", "-o", "json")
    assert applied.exit_code == 0, applied.stderr
    assert len(applied.json()["Created"]) == 300 and applied.json()["Converged"] is True
    assert "Converged" in applied.stderr

    before = sb.counts()
    again = run("plan", "-f", first, "--detailed-exitcode", "-o", "json")
    assert again.exit_code == 0, again.stderr
    assert len(again.json()["Unchanged"]) == 300
    read = {op: n - before.get(op, 0) for op, n in sb.counts().items() if n != before.get(op, 0)}
    assert read == {"DescribeWorkspaces": 12, "DescribeTags": 300}  # ceil(300/25) pages; one DescribeTags each

    # The file edited: two new users, two removed, running mode, compute, both volumes, tags, a bundle.
    edited_users = [u for u in users if u not in ("user0299", "user0300")] + ["user0301", "user0302"]
    edits = (
        "  - {user: user0001, running_mode: ALWAYS_ON}\n"
        "  - {user: user0002, compute_type: PERFORMANCE}\n"
        "  - {user: user0003, root_volume_size: 175, user_volume_size: 100}\n"
        "  - {user: user0004, tags: {team: ops, project: apollo}}\n"
        f"  - {{user: user0005, bundle_id: {standard[1]}}}\n"
        "  - {user: user0006, root_volume_size: 175, user_volume_size: 100}\n"
    )
    edited = fleet_yaml(tmp_path / "edited.yaml", directory, standard[0], edited_users, edits)
    diff = run("plan", "-f", edited, "--allow-migrate", "--detailed-exitcode", "-o", "json")
    assert diff.exit_code == 5, diff.stderr
    data = diff.json()
    assert sorted(r["UserName"] for r in data["Create"]) == ["user0301", "user0302"]
    changes = {
        user: [(c["Property"], c["From"], c["To"]) for c in item["Changes"]]
        for user, item in by_user(data, "Change").items()
    }
    assert changes == {
        "user0001": [("RunningMode", "AUTO_STOP", "ALWAYS_ON")],
        "user0002": [("ComputeTypeName", "STANDARD", "PERFORMANCE")],
        "user0003": [("RootVolumeSizeGib", 80, 175), ("UserVolumeSizeGib", 50, 100)],
        "user0004": [("Tags.team", "finance", "ops"), ("Tags.project", None, "apollo")],
    }
    assert [(m["UserName"], m["BundleId"]) for m in data["Migrate"]] == [("user0005", standard[1])]
    described = {
        w["UserName"]: w for w in run("describe", "--directory-id", directory, "-o", "json").json()["Workspaces"]
    }
    assert sorted(data["Extra"]) == sorted(described[u]["WorkspaceId"] for u in ("user0299", "user0300"))
    assert data["CannotConverge"] == [] and len(data["Unchanged"]) == 300 - 2 - 4 - 1
    assert data["Calls"] == {
        "CreateWorkspaces": 1,
        "ModifyWorkspaceProperties": 4,
        "CreateTags": 1,
        "MigrateWorkspace": 1,
    }
    text = run("plan", "-f", edited, "--allow-migrate").stdout
    assert re.search(r"^~ change ws-\w+ user0001\n    RunningMode: AUTO_STOP -> ALWAYS_ON$", text, re.M), text
    assert re.search(r"^> migrate ws-\w+ user0005\n    BundleId: wsb-\w+ -> " + standard[1], text, re.M), text
    assert re.search(r"^\? extra ws-\w+ user0299 \(not in the file; --prune\)$", text, re.M), text
    assert "Plan: 2 to create, 4 to change, 1 to migrate, 2 extra, 0 cannot converge, 293 unchanged." in text

    converge = run("apply", "-f", edited, "--allow-migrate", "--yes", "--wait", "--poll-interval", "0.05", "-o", "json")
    assert converge.exit_code == 0, converge.stderr
    assert converge.json()["Converged"] is True and "Converged" in converge.stderr
    assert len(converge.json()["Migrated"]) == 1 and converge.json()["Failed"] == []

    counted = changing(sb.counts())
    second = run("apply", "-f", edited, "--allow-migrate", "--yes", "-o", "json")
    assert second.exit_code == 0, second.stderr
    assert changing(sb.counts()) == counted  # not one call that changes anything
    assert "Nothing to change" in second.stderr and "2 extra WorkSpaces kept" in second.stderr
    matched = run("plan", "-f", edited, "-o", "json").json()
    new_id = converge.json()["Migrated"][0]["TargetWorkspaceId"]
    assert new_id in matched["Unchanged"] and not matched["Create"]  # the migrated user is still matched

    refused = run("apply", "-f", edited, "--prune")  # terminating needs typing the count, or --yes
    assert refused.exit_code == 2 and "cannot be undone" in refused.stderr
    assert changing(sb.counts()) == counted

    pruned = run("apply", "-f", edited, "--prune", "--yes", "-o", "json")
    assert pruned.exit_code == 0, pruned.stderr
    assert sorted(pruned.json()["Terminated"]) == sorted(data["Extra"])
    after = changing(sb.counts())
    assert after == {**counted, "TerminateWorkspaces": counted["TerminateWorkspaces"] + 1}
    left = run("describe", "--directory-id", directory, "-o", "json").json()["Workspaces"]
    assert {w["UserName"] for w in left if w["State"] not in ("TERMINATING", "TERMINATED")} == set(edited_users) | {
        f"user{i:04d}" for i in range(1, 7)
    }

    shrink = fleet_yaml(
        tmp_path / "shrink.yaml",
        directory,
        standard[0],
        edited_users,
        edits.replace("{user: user0006, root_volume_size: 175", "{user: user0006, root_volume_size: 80"),
    )
    shown = run("plan", "-f", shrink, "--allow-migrate", "--detailed-exitcode", "-o", "json")
    assert shown.exit_code == 5
    (blocked,) = shown.json()["CannotConverge"]
    assert (blocked["UserName"], blocked["Property"], blocked["From"], blocked["To"]) == (
        "user0006",
        "RootVolumeSizeGib",
        175,
        80,
    )
    assert "cannot shrink" in blocked["Reason"] and shown.json()["Calls"] == {}
    sent = run("apply", "-f", shrink, "--allow-migrate", "--yes")
    assert sent.exit_code == 3 and "cannot converge" in sent.stderr
    assert changing(sb.counts()) == after  # nothing was sent for it


def test_dry_run_is_plan_and_bad_input_sends_nothing(tmp_path):
    seed = sb.reset(*sb.FAST)
    directory = sb.primary_directory(seed)["DirectoryId"]
    path = fleet_yaml(tmp_path / "f.yaml", directory, sb.bundle_id(seed), ["user0001"])
    dry = run("apply", "-f", path, "--dry-run", "-o", "json")
    assert dry.exit_code == 0 and [r["UserName"] for r in dry.json()["Create"]] == ["user0001"]
    assert changing(sb.counts()) == dict.fromkeys(CHANGING, 0)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        f"defaults: {{directory_id: {directory}, bundle_id: {sb.bundle_id(seed)}}}\n"
        "workspaces:\n  - {user: a, running_mode: SOMETIMES}\n"
    )
    started = run("apply", "-f", path, "--yes")
    assert started.exit_code == 0 and "Still in progress: 1 WorkSpace being created" in started.stderr
    read = sb.counts()
    for command in (("plan",), ("apply", "--yes")):
        refused = run(*command, "-f", str(bad))
        assert refused.exit_code == 2 and "bad.yaml:3" in refused.stderr, refused.stderr
    assert sb.counts() == read  # not even a read


def test_after_ctrl_c_the_same_apply_finishes_the_job(tmp_path, monkeypatch):
    seed = sb.reset(*sb.FAST)
    directory = sb.primary_directory(seed)["DirectoryId"]
    users = [f"user{i:04d}" for i in range(1, 31)]
    path = fleet_yaml(tmp_path / "f.yaml", directory, sb.bundle_id(seed), users)
    from wsctl.aws.service import WorkspacesService

    original = WorkspacesService.create_workspaces

    def stop_after_the_first_call(self: Any, requests: Any, outcome: Any, record: Any = None, **kw: Any) -> Any:
        original(self, requests[:25], outcome, record, **kw)
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(WorkspacesService, "create_workspaces", stop_after_the_first_call)
        stopped = run("apply", "-f", path, "--yes")
    assert stopped.exit_code == 130 and "run the same apply again" in stopped.stderr
    finished = run("apply", "-f", path, "--yes", "--wait", "--poll-interval", "0.05", "-o", "json")
    assert finished.exit_code == 0, finished.stderr
    assert len(finished.json()["Created"]) == 5 and finished.json()["Converged"] is True


@pytest.mark.parametrize("columns", [60, 200])
def test_the_plan_fits_the_terminal_without_cutting_ids_or_users(tmp_path, columns):
    from tests.test_tables_fit import on_a_terminal

    seed, ids = sb.make_fleet(2)
    directory = sb.primary_directory(seed)["DirectoryId"]
    edits = "  - {user: user0002, running_mode: ALWAYS_ON, root_volume_size: 80, user_volume_size: 10}\n"
    path = fleet_yaml(tmp_path / "f.yaml", directory, sb.bundle_id(seed), ["user0001", "user0003"], edits)
    screen = on_a_terminal(columns, "--sandbox", "plan", "-f", path)
    lines = [line for line in screen.splitlines() if line.strip()]
    assert max(len(line) for line in lines) <= columns, screen
    assert any(ids[1] in line and "user0002" in line for line in lines), screen
    assert "cannot shrink" in screen.replace("\n    ", " ").replace("\n      ", " ")
    assert ("+ create user0003 in " + directory) in screen


def test_a_wait_that_times_out_lists_what_is_pending_and_exits_4_and_the_next_wait_finishes(tmp_path):
    seed = sb.reset("--time-scale", "0.2")  # a create takes 1 s
    directory = sb.primary_directory(seed)["DirectoryId"]
    path = fleet_yaml(tmp_path / "f.yaml", directory, sb.bundle_id(seed), ["user0001"])
    timed_out = run("apply", "-f", path, "--yes", "--wait", "--timeout", "0.2", "--poll-interval", "0.05")
    assert timed_out.exit_code == 4, timed_out.stderr
    assert "still pending" in timed_out.stderr and "describe --id ws-" in timed_out.stderr
    assert "Converged" not in timed_out.stderr
    counted = changing(sb.counts())
    followed = run("apply", "-f", path, "--yes", "--wait", "--poll-interval", "0.05")  # nothing to send: it waits
    assert followed.exit_code == 0, followed.stderr
    assert "Nothing to change" in followed.stderr and "1 WorkSpace to settle" in followed.stderr
    assert "Converged" in followed.stderr and changing(sb.counts()) == counted


def test_a_step_some_workspaces_finish_in_says_which_count_is_which(tmp_path):
    seed, ids = sb.make_fleet(2)
    directory, bundle = sb.primary_directory(seed)["DirectoryId"], sb.bundle_id(seed)
    entries = "  - user: user0001\n    root_volume_size: 175\n    user_volume_size: 100\n"
    entries += "  - user: user0002\n    compute_type: POWER\n"
    path = tmp_path / "f.yaml"
    path.write_text(
        f"defaults:\n  directory_id: {directory}\n  bundle_id: {bundle}\n  running_mode: AUTO_STOP\n"
        f"  auto_stop_timeout: 60\nworkspaces:\n{entries}"
    )
    run = wsctl("--sandbox", "apply", "-f", str(path), "--yes", "--wait", "--poll-interval", "0.05")
    assert run.exit_code == 0, run.stderr
    # Step 1 went to both; only user0001 has a step 2, so only it was waited for before step 2.
    assert re.search(r"Step 1 sent to 2/2; applied to 1/1 with a step 2, in \d", run.stderr), run.stderr


def test_one_apply_with_wait_migrates_and_then_sends_what_the_migration_did_not_change(tmp_path):
    seed = sb.reset(*sb.FAST, "--users", "8")
    directory = sb.primary_directory(seed)["DirectoryId"]
    standard = standard_bundles(seed)
    first = fleet_yaml(tmp_path / "f.yaml", directory, standard[0], ["user0001", "user0002"])
    made = run("apply", "-f", first, "--yes", "--wait", "--poll-interval", "0.05", "-o", "json")
    assert made.exit_code == 0, made.stderr
    # user0001: another bundle, and a running mode and a tag the migration does not bring.
    edited = fleet_yaml(
        tmp_path / "g.yaml",
        directory,
        standard[0],
        ["user0002"],
        f"  - {{user: user0001, bundle_id: {standard[1]}, running_mode: ALWAYS_ON, tags: {{team: ops}}}}\n",
    )
    shown = run("plan", "-f", edited, "--allow-migrate", "-o", "json").json()
    (migration,) = shown["Migrate"]
    assert {c["Property"] for c in migration["ThenChanges"]} == {"RunningMode", "Tags.team"}
    before = changing(sb.counts())
    one = run("apply", "-f", edited, "--allow-migrate", "--yes", "--wait", "--poll-interval", "0.05", "-o", "json")
    assert one.exit_code == 0, one.stderr
    data = one.json()
    new_id = data["Migrated"][0]["TargetWorkspaceId"]
    assert data["Converged"] is True and data["Changed"] == [new_id] and data["Tagged"] == [new_id], one.stderr
    assert "Then what the plan showed under the migrations: 1 migrated WorkSpace." in one.stderr
    assert one.stderr.rstrip().splitlines()[-1].startswith("Converged")
    sent = {op: n - before[op] for op, n in changing(sb.counts()).items() if n != before[op]}
    assert sent == {"MigrateWorkspace": 1, "ModifyWorkspaceProperties": 1, "CreateTags": 1}
    (ws,) = run("describe", "--id", new_id, "-o", "json").json()["Workspaces"]
    assert ws["WorkspaceProperties"]["RunningMode"] == "ALWAYS_ON" and ws["BundleId"] == standard[1]
    again = run("plan", "-f", edited, "--allow-migrate", "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout + again.stderr


def test_without_wait_the_then_changes_wait_for_the_next_apply(tmp_path):
    seed = sb.reset(*sb.FAST, "--users", "8")
    directory = sb.primary_directory(seed)["DirectoryId"]
    standard = standard_bundles(seed)
    first = fleet_yaml(tmp_path / "f.yaml", directory, standard[0], ["user0001"])
    assert run("apply", "-f", first, "--yes", "--wait", "--poll-interval", "0.05").exit_code == 0
    edited = fleet_yaml(
        tmp_path / "g.yaml",
        directory,
        standard[0],
        [],
        f"  - {{user: user0001, bundle_id: {standard[1]}, running_mode: ALWAYS_ON}}\n",
    )
    edited_text = Path(edited).read_text().replace("  - users: []\n", "")
    Path(edited).write_text(edited_text)
    before = changing(sb.counts())
    started = run("apply", "-f", edited, "--allow-migrate", "--yes", "-o", "json")
    assert started.exit_code == 0, started.stderr
    assert {op: n - before[op] for op, n in changing(sb.counts()).items() if n != before[op]} == {"MigrateWorkspace": 1}
    new_id = started.json()["Migrated"][0]["TargetWorkspaceId"]
    # The new WorkSpace only: the migrated-from one shows TERMINATED for a while, a failed end for a wait.
    waited = run("describe", "--id", new_id, "--wait", "--poll-interval", "0.05")
    assert waited.exit_code == 0, waited.stderr
    rest = run("apply", "-f", edited, "--allow-migrate", "--yes", "-o", "json")
    assert rest.exit_code == 0, rest.stderr
    assert rest.json()["Changed"] == [new_id], rest.stderr


def test_ctrl_c_in_the_round_after_the_migrations_is_finished_by_the_same_apply(tmp_path, monkeypatch):
    from wsctl.ops import apply as apply_module

    seed = sb.reset(*sb.FAST, "--users", "8")
    directory = sb.primary_directory(seed)["DirectoryId"]
    standard = standard_bundles(seed)
    first = fleet_yaml(tmp_path / "f.yaml", directory, standard[0], ["user0001"])
    assert run("apply", "-f", first, "--yes", "--wait", "--poll-interval", "0.05").exit_code == 0
    edited = tmp_path / "g.yaml"
    edited.write_text(
        f"defaults: {{directory_id: {directory}, bundle_id: {standard[0]}}}\n"
        f"workspaces:\n  - {{user: user0001, bundle_id: {standard[1]}, running_mode: ALWAYS_ON}}\n"
    )
    real = apply_module._run
    rounds = []

    def second_round_interrupted(*args, **kwargs):
        rounds.append(1)
        if len(rounds) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(apply_module, "_run", second_round_interrupted)
        cut = run("apply", "-f", str(edited), "--allow-migrate", "--yes", "--wait", "--poll-interval", "0.05")
    assert cut.exit_code == 130, cut.stderr
    assert "interrupted; run the same apply again to finish" in cut.stderr
    assert len(rounds) == 2
    again = run(
        "apply", "-f", str(edited), "--allow-migrate", "--yes", "--wait", "--poll-interval", "0.05", "-o", "json"
    )
    assert again.exit_code == 0, again.stderr
    assert again.json()["Converged"] is True and len(again.json()["Changed"]) == 1 and not again.json()["Migrated"]
