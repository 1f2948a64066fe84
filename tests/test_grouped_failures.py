"""Waiting on hundreds: failures grouped into a line per kind, the summary last, --verbose lists every item."""

from __future__ import annotations

import re

import pytest

from tests import sandbox_support as sb
from tests.helpers import Run, wsctl
from wsctl.render.final import failure_lines
from wsctl.spec.waits import Item, Status

INSTANT = ("--time-scale", "0")
WAIT = ("--wait", "--poll-interval", "0.01")


def _failed(workspace_id: str, code: str, bundle: str, message: str = "it broke") -> Item:
    description = {"WorkspaceId": workspace_id, "State": "ERROR", "ErrorCode": code, "ErrorMessage": message}
    description["BundleId"] = bundle
    return Item(
        workspace_id,
        f"u-{workspace_id}",
        "ERROR",
        Status.FAILED,
        f"ended in ERROR ({code}: {message})",
        seen=True,
        description=description,
    )


def test_failures_of_one_kind_become_one_line_and_a_single_one_keeps_its_id() -> None:
    items = [_failed(f"ws-{i:09d}", "ResourceCreationFailed", "wsb-aaaaaaaaa", f"message {i}") for i in range(50)]
    items.append(_failed("ws-lonely0001", "ResourceCreationFailed", "wsb-bbbbbbbbb"))
    items += [_failed(f"ws-other{i:05d}", "InternalError", "wsb-aaaaaaaaa") for i in range(2)]
    lines = failure_lines(items)
    assert lines[0] == (
        "50 x ResourceCreationFailed (bundle wsb-aaaaaaaaa): message 0 [ws-000000000, ws-000000001, ws-000000002, ...]"
    )
    assert lines[1].startswith("2 x InternalError (bundle wsb-aaaaaaaaa): it broke")
    assert lines[2] == "ws-lonely0001 u-ws-lonely0001: ended in ERROR (ResourceCreationFailed: it broke)"
    assert len(lines) == 3


def _last_line(run: Run) -> str:
    return [line for line in run.stderr.splitlines() if line.strip()][-1]


def test_create_wait_on_a_failing_bundle_groups_the_failures_and_ends_with_the_summary() -> None:
    seed = sb.reset(*INSTANT)
    users = [f"user{i:04d}" for i in range(1, 23)]
    args = sb.create_args(seed, *users, bundle=sb.failing_bundle_id(seed))
    run = wsctl(*args, "--yes", *WAIT)
    assert run.exit_code == 3, run.stderr
    # (The timestamped lines before are the wait's log of changes, one per WorkSpace as it happens.)
    grouped = [line for line in run.stderr.splitlines() if line.startswith("warning:")]
    assert len(grouped) == 1, run.stderr
    assert re.match(r"warning: 22 x ResourceCreationFailed \(bundle wsb-\w+\): \S", grouped[0]), grouped
    assert re.match(r"Created 22, existing 0, failed 0 · calls: .* · [\d.]+ s$", _last_line(run)), run.stderr
    # Every WorkSpace failed, so the final table lists all of them; JSON has every item whatever the count.
    assert all(u in run.stdout for u in users)
    as_json = wsctl("--sandbox", "describe", "-o", "json").json()["Workspaces"]
    assert len(as_json) == 22


@pytest.mark.parametrize("where", ["before", "after", "env"])
def test_verbose_lists_every_item_before_or_after_the_command(where: str) -> None:
    seed = sb.reset(*INSTANT)
    users = [f"user{i:04d}" for i in range(1, 23)]
    created = wsctl(*sb.create_args(seed, *users), "--yes", "-o", "ids")
    ids = created.stdout.split()
    assert len(ids) == 22
    short = wsctl("--sandbox", "stop", *ids, "--yes")
    assert short.exit_code == 0, short.stderr
    assert "22 requested (not listed; --verbose lists all)" in short.stdout and ids[0] not in short.stdout
    wsctl("--sandbox", "start", *ids, "--yes")
    if where == "before":
        run = wsctl("--verbose", "--sandbox", "stop", *ids, "--yes")
    elif where == "after":
        run = wsctl("--sandbox", "stop", *ids, "--yes", "--verbose")
    else:
        run = wsctl("--sandbox", "stop", *ids, "--yes", env={"WSCTL_VERBOSE": "1"})
    assert run.exit_code == 0, run.stderr
    assert all(i in run.stdout for i in ids) and "not listed" not in run.stdout
    assert _last_line(run).startswith("StopWorkspaces: 22 sent, 0 skipped, 0 failed")


def test_the_summary_is_the_last_line_of_every_command() -> None:
    seed = sb.reset(*INSTANT)
    create = wsctl(*sb.create_args(seed, "user0001", "user0002"), "--yes")
    assert _last_line(create).startswith("Created 2, existing 0, failed 0 · calls:")
    ids = [w["WorkspaceId"] for w in wsctl("--sandbox", "describe", "-o", "json").json()["Workspaces"]]
    waited = wsctl(*sb.create_args(seed, "user0003"), "--yes", *WAIT)
    assert _last_line(waited).startswith("Created 1, existing 0, failed 0 · calls:"), waited.stderr
    assert "Done in " in waited.stderr
    stop = wsctl("--sandbox", "stop", *ids, "--yes", *WAIT)
    assert _last_line(stop).startswith("StopWorkspaces: 2 sent, 0 skipped, 0 failed"), stop.stderr
    assert stop.stderr.index("Done in ") < stop.stderr.index("StopWorkspaces: 2 sent")
    mode = wsctl("--sandbox", "set-mode", *ids, "--running-mode", "ALWAYS_ON", "--yes", *WAIT)
    assert _last_line(mode) == "2 changed, 0 unchanged, 0 failed.", mode.stderr
    described = wsctl("--sandbox", "describe", "--id", ids[0], *WAIT)
    assert _last_line(described) == "1 WorkSpace: 1 STOPPED", described.stderr
    as_json = wsctl("--sandbox", "describe", "--id", ids[0], *WAIT, "-o", "json")
    assert "1 WorkSpace:" not in as_json.stderr and as_json.json()["Workspaces"][0]["WorkspaceId"] == ids[0]


def test_one_call_is_one_call() -> None:
    _, ids = sb.make_fleet(1)
    run = wsctl("--sandbox", "modify", ids[0], "--compute-type", "POWER", "--dry-run")
    assert "in 1 ModifyWorkspaceProperties call," in run.stderr, run.stderr
