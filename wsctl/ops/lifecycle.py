"""start, stop, reboot, rebuild, restore, migrate, maintenance on/off and terminate, for a whole fleet.

Each run: resolve the targets (IDs, stdin, a directory, a bundle, a file), leave out the
WorkSpaces the action cannot apply to (with the reason) and those an interrupted run of the
same command already sent, confirm, send (25 a call where the API allows), record every
call, and with --wait follow what was sent until it settles.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wsctl.context import AppContext
from wsctl.errors import ExitCode
from wsctl.ops.changes import Confirm, refuse_missing, resolve_targets
from wsctl.text import count

if TYPE_CHECKING:
    from pathlib import Path

    from wsctl.aws.lifecycle import ActionOutcome
    from wsctl.spec.actions import Action

USERS_NAMED = 3


@dataclass(frozen=True)
class Request:
    """What the user asked for: the action, its targets and its options."""

    action: Action
    ids: list[str]
    file: str | None = None
    directory_id: str | None = None
    bundle_id: str | None = None
    target_bundle: str | None = None  # migrate: the destination bundle
    force: bool = False


def run_action(
    app: AppContext,
    request: Request,
    *,
    confirm: Confirm,
    dry_run: bool,
    wait: bool,
    timeout: float | None,
    poll_interval: float | None,
) -> int:
    from wsctl.aws.lifecycle import ActionOutcome
    from wsctl.ops.runrecord import RunRecord
    from wsctl.render.lifecycle import action_outcome
    from wsctl.render.outcome import show

    started = time.monotonic()
    action = request.action
    targets, workspaces, missing = resolve_targets(
        app, request.ids, request.file, request.directory_id, request.bundle_id, allowed=set(), int_keys=set()
    )
    key = _rerun_key(request, [*(w["WorkspaceId"] for w in workspaces), *(m.workspace_id for m in missing)])
    sent_before, earlier, finished = _sent_by_earlier_run(action.command, key)
    skipped = _skipped(action, workspaces, missing, sent_before, earlier, finished=finished, force=request.force)
    skipped_ids = {s["WorkspaceId"] for s in skipped}
    to_send = [w for w in workspaces if w["WorkspaceId"] not in skipped_ids]
    if dry_run:
        outcome = action_outcome(action, to_send, skipped, ActionOutcome(), sandbox=app.sandbox, planned=True)
        show(app, outcome)
        app.note(
            f"Dry run: {count(len(to_send), 'WorkSpace')} to {action.verb}, {len(skipped)} skipped. Nothing was sent."
        )
        return ExitCode.OK
    if not to_send:
        show(app, action_outcome(action, [], skipped, ActionOutcome(), sandbox=app.sandbox))
        app.note(f"Nothing to {action.verb}: {count(len(skipped), 'WorkSpace')} skipped.")
        return ExitCode.OK
    app.note(_about_to(app, action, to_send, skipped))
    confirm(f"{action.verb.capitalize()} {count(len(to_send), 'WorkSpace')}?", len(to_send))
    record = RunRecord(_record_name(action), sys.argv[1:])
    app.note(f"Run record: {record.path}")
    record.write("plan", Action=action.command, Key=key, WorkspaceIds=[w["WorkspaceId"] for w in to_send])
    sent = ActionOutcome()
    ids = [w["WorkspaceId"] for w in to_send]
    try:
        app.service.act(action, ids, sent, record, bundle_id=request.target_bundle)
    except KeyboardInterrupt:
        record.close(interrupted=True, requested=sent.requested)
        show(app, action_outcome(action, to_send, skipped, sent, sandbox=app.sandbox))
        app.warn(
            f"interrupted after {count(len(sent.requested), 'WorkSpace')} of {len(ids):,} were sent "
            f"(run record {record.path}); run the same command again to finish: what was sent is not sent again."
        )
        return ExitCode.INTERRUPTED
    record.close(requested=sent.requested, failed=sent.failed, migrated=sent.migrated)
    if sent.retried:
        app.note(f"{count(sent.retried, 'call')} waited for an earlier change to finish and went through.")
    if not wait or not sent.requested:
        code = show(app, action_outcome(action, to_send, skipped, sent, sandbox=app.sandbox))
        app.note(_summary(action, sent, skipped, app.service.calls.summary(), time.monotonic() - started))
        return code
    return _follow(app, action, to_send, skipped, sent, started=started, timeout=timeout, poll_interval=poll_interval)


def _skipped(
    action: Action,
    workspaces: Sequence[dict[str, Any]],
    missing: Sequence[Any],
    sent_before: set[str],
    earlier: Path | None,
    *,
    finished: bool,
    force: bool,
) -> list[dict[str, Any]]:
    skipped = []
    for ws in workspaces:
        workspace_id, state = ws["WorkspaceId"], ws.get("State")
        mode = (ws.get("WorkspaceProperties") or {}).get("RunningMode")
        reason = action.skip_reason(state, mode, force=force)
        if reason is None and workspace_id in sent_before and not finished:
            reason = f"already sent by the interrupted run {earlier}"
        if reason is not None:
            skipped.append(
                {"WorkspaceId": workspace_id, "State": state, "Reason": reason, "UserName": ws.get("UserName")}
            )
    # Gone is what terminate wants, and what a migrate that ran before leaves of its source.
    refuse_missing([t for t in missing if not (action.gone_is_done or t.workspace_id in sent_before)])
    skipped += [{"WorkspaceId": t.workspace_id, "State": None, "Reason": "no longer exists"} for t in missing]
    return skipped


def _record_name(action: Action) -> str:
    return action.command.replace(" ", "-")


def _rerun_key(request: Request, target_ids: Sequence[str]) -> str:
    """What makes two runs "the same command": the action, every target, the destination bundle."""
    return f"{request.action.command}|{request.target_bundle or ''}|{','.join(sorted(target_ids))}"


def _sent_by_earlier_run(command: str, key: str) -> tuple[set[str], Path | None, bool]:
    """(IDs sent, its run record, whether it finished) of the latest run of this same request.

    Rebuild, restore, reboot and migrate leave a WorkSpace in the state they found it, so
    the state alone cannot tell a rerun of an interrupted run what is done; the run record
    can. (After a run that finished, the same command is a new request.)
    """
    from wsctl.ops.runrecord import read_record, runs_dir

    folder = runs_dir()
    if not folder.is_dir():
        return set(), None, False
    newest_first = sorted(folder.glob(f"*-{command.replace(' ', '-')}-*.jsonl"), key=_mtime, reverse=True)
    for path in newest_first:
        events = read_record(path)
        plan = next((e for e in events if e.get("event") == "plan"), None)
        if plan is None or plan.get("Key") != key:
            continue
        end = next((e for e in events if e.get("event") == "end"), None)
        sent = {i for e in events if e.get("event") == "response" for i in e.get("Requested", [])}
        return sent, path, end is not None and not end.get("interrupted")
    return set(), None, False


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _about_to(app: AppContext, action: Action, to_send: Sequence[dict[str, Any]], skipped: Sequence[Any]) -> str:
    where = "in the SANDBOX" if app.sandbox else _where(app)
    users = [str(w.get("UserName") or w["WorkspaceId"]) for w in to_send[:USERS_NAMED]]
    more = f" and {len(to_send) - USERS_NAMED:,} more" if len(to_send) > USERS_NAMED else ""
    text = (
        f"About to {action.verb} {count(len(to_send), 'WorkSpace')} {where} ({', '.join(users)}{more}); "
        f"{len(skipped)} skipped."
    )
    if action.destroys:
        text += f" This {action.destroys}."
    return text


def _where(app: AppContext) -> str:
    options = app.options
    if options.endpoint_url:
        return f"at {options.endpoint_url}"
    parts = [
        f"profile {options.profile}" if options.profile else "",
        f"Region {options.region}" if options.region else "",
    ]
    return "in AWS" + (f" ({', '.join(p for p in parts if p)})" if any(parts) else "")


def _summary(action: Action, sent: ActionOutcome, skipped: Sequence[Any], calls: str, seconds: float) -> str:
    return (
        f"{action.operation}: {len(sent.requested):,} sent, {len(skipped):,} skipped, "
        f"{len(sent.failed):,} failed · calls: {calls} · {seconds:.1f} s"
    )


def _follow(
    app: AppContext,
    action: Action,
    to_send: Sequence[dict[str, Any]],
    skipped: Sequence[Any],
    sent: ActionOutcome,
    *,
    started: float,
    timeout: float | None,
    poll_interval: float | None,
) -> int:
    from wsctl.ops.waiting import final_descriptions, finish, follow, workspace_items
    from wsctl.render.lifecycle import action_outcome
    from wsctl.render.outcome import show
    from wsctl.spec.durations import timeout_for
    from wsctl.spec.waits import ActionSpec, Item

    by_id = {w["WorkspaceId"]: w for w in to_send}
    if sent.migrated:
        items = [
            Item(m["TargetWorkspaceId"], str(by_id[m["SourceWorkspaceId"]].get("UserName", "")), "PENDING")
            for m in sent.migrated
        ]
        before: dict[str, str | None] = {i.id: None for i in items}
    else:
        items = workspace_items([by_id[i] for i in sent.requested])
        before = {i: by_id[i].get("State") for i in sent.requested}
    spec = ActionSpec(action.settles_at, before, gone_is_done=action.gone_is_done)
    result = follow(
        app,
        items,
        app.service.describe_workspaces_by_id,
        spec,
        noun="WorkSpace",
        detail=f"to be {action.done}",
        timeout=timeout_for(action.command, timeout),
        poll_interval=poll_interval,
    )
    final = final_descriptions(result)
    show(app, action_outcome(action, to_send, skipped, sent, sandbox=app.sandbox, final=final, wait_result=result))
    app.note(_summary(action, sent, skipped, app.service.calls.summary(), time.monotonic() - started))
    code = finish(app, result)
    return ExitCode.PARTIAL if code == ExitCode.OK and sent.failed else code
