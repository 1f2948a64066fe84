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
from wsctl.ops.changes import Confirm, named_users, refuse_missing, resolve_targets
from wsctl.text import count

if TYPE_CHECKING:
    from pathlib import Path

    from wsctl.aws.lifecycle import ActionOutcome
    from wsctl.spec.actions import Action


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
    key = _rerun_key(request, _named_ids(targets, missing))
    earlier = _sent_by_earlier_runs(action.command, key)
    skipped = _skipped(action, workspaces, missing, earlier, force=request.force, target_bundle=request.target_bundle)
    skipped_ids = {s["WorkspaceId"] for s in skipped}
    to_send = [w for w in workspaces if w["WorkspaceId"] not in skipped_ids]
    if dry_run:
        outcome = action_outcome(action, to_send, skipped, ActionOutcome(), sandbox=app.sandbox, planned=True)
        show(app, outcome)
        app.note(
            f"Dry run: {count(len(to_send), 'WorkSpace')} to {action.verb}, {len(skipped)} skipped. Nothing was sent."
            + (f" Sending would {action.destroys}." if action.destroys and to_send else "")
        )
        return ExitCode.OK
    if not to_send:
        if earlier.unfinished:  # what the interrupted runs left is done: the next run is a new request
            done = RunRecord(_record_name(action), sys.argv[1:])
            done.write("plan", Action=action.command, Key=key, WorkspaceIds=[])
            done.close(requested=[], note="nothing left to send")
        show(app, action_outcome(action, [], skipped, ActionOutcome(), sandbox=app.sandbox))
        app.note(f"Nothing to {action.verb}: {count(len(skipped), 'WorkSpace')} skipped.")
        return ExitCode.OK
    where = app.where(account=confirm.asks(len(to_send)))
    app.note(_about_to(action, to_send, skipped, where.long, request.target_bundle))
    question = f"{action.phrase(count(len(to_send), 'WorkSpace'))} {where.short}?"
    destroys = action.destroys and not action.typed_confirmation  # typed: the question says it cannot be undone
    confirm(question + (f" This {action.destroys}." if destroys else ""), len(to_send))
    record = RunRecord(_record_name(action), sys.argv[1:])
    app.note(f"Run record: {record.path}")
    carried = sorted(earlier.sent & {w["WorkspaceId"] for w in workspaces})
    record.write("plan", Action=action.command, Key=key, WorkspaceIds=[w["WorkspaceId"] for w in to_send])
    if carried:
        record.write("response", Requested=carried, CarriedOver=True)  # so a later rerun still skips them
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
    except BaseException as exc:
        # Credentials that stopped working mid-run, say: what was sent still reaches the screen.
        record.close(interrupted=True, error=f"{type(exc).__name__}: {exc}", requested=sent.requested)
        if sent.requested or sent.failed:
            show(app, action_outcome(action, to_send, skipped, sent, sandbox=app.sandbox))
            app.warn(
                f"stopped after {count(len(sent.requested), 'WorkSpace')} of {len(ids):,} were sent "
                f"(run record {record.path}); once the cause is fixed, run the same command again to finish."
            )
        raise
    record.close(requested=sent.requested, failed=sent.failed, migrated=sent.migrated)
    if sent.retried:
        app.note(f"{count(sent.retried, 'call')} waited for an earlier change to finish and went through.")
    if not wait or not sent.requested:
        code = show(app, action_outcome(action, to_send, skipped, sent, sandbox=app.sandbox))
        app.note(_summary(action, sent, skipped, app.service.calls.summary(), time.monotonic() - started))
        return code
    return _follow(app, action, to_send, skipped, sent, started=started, timeout=timeout, poll_interval=poll_interval)


def _named_ids(targets: Sequence[Any], missing: Sequence[Any]) -> list[str]:
    """The IDs the user named (arguments, stdin, a file), not those a directory or bundle selected."""
    return [t.workspace_id for t in [*targets, *missing] if t.where not in ("--directory-id", "--bundle-id")]


def _skipped(
    action: Action,
    workspaces: Sequence[dict[str, Any]],
    missing: Sequence[Any],
    earlier: EarlierRuns,
    *,
    force: bool,
    target_bundle: str | None,
) -> list[dict[str, Any]]:
    skipped = []
    for ws in workspaces:
        workspace_id, state = ws["WorkspaceId"], ws.get("State")
        mode = (ws.get("WorkspaceProperties") or {}).get("RunningMode")
        reason = action.skip_reason(state, mode, force=force)
        if reason is None and target_bundle and ws.get("BundleId") == target_bundle:
            reason = f"already on {target_bundle}"
        if reason is None and workspace_id in earlier.unfinished:
            reason = f"already sent by the interrupted run {earlier.unfinished[workspace_id]}"
        if reason is not None:
            user = ws.get("UserName")
            skipped.append({"WorkspaceId": workspace_id, "State": state, "Reason": reason, "UserName": user})
    # Gone is what terminate wants, and what a migrate that ran before leaves of its source.
    refuse_missing([t for t in missing if not (action.gone_is_done or t.workspace_id in earlier.sent)])
    for target in missing:
        known = target.workspace_id in earlier.sent  # sent by an earlier run of this request: gone as asked
        reason = "no longer exists" if known else "not found: already terminated, or not in this account and Region"
        skipped.append({"WorkspaceId": target.workspace_id, "State": None, "Reason": reason})
    return skipped


def _record_name(action: Action) -> str:
    return action.command.replace(" ", "-")


def _rerun_key(request: Request, named_ids: Sequence[str]) -> str:
    """What makes two runs "the same command": the action, the selectors, the destination bundle.

    A directory or a bundle is its selector, not the WorkSpaces it held then: one that gained
    a WorkSpace is still the same request.
    """
    selectors = [f"dir={request.directory_id or ''}", f"bundle={request.bundle_id or ''}", *sorted(set(named_ids))]
    return f"{request.action.command}|{request.target_bundle or ''}|{','.join(selectors)}"


# A run record older than this says nothing about what a rerun should skip (UNVERIFIED: a
# choice; a day covers an interrupted run finished the same working day).
RERUN_WINDOW_SECONDS = 24 * 3600


@dataclass
class EarlierRuns:
    """What runs of this same request sent: all of them (`sent`), and those since it last finished."""

    sent: set[str]
    unfinished: dict[str, Path]  # WorkspaceId -> the interrupted run record that sent it


def _sent_by_earlier_runs(command: str, key: str) -> EarlierRuns:
    """Read the run records of this request, newest first, back to the last one that finished.

    Rebuild, restore, reboot and migrate leave a WorkSpace in the state they found it, so
    the state alone cannot tell a rerun of an interrupted run what is done; the records can.
    A call sent without an answer counts as sent: it may have done its work.
    """
    from wsctl.ops.runrecord import read_record, runs_dir

    found = EarlierRuns(set(), {})
    folder = runs_dir()
    if not folder.is_dir():
        return found
    now = time.time()
    records = sorted(folder.glob(f"*-{command.replace(' ', '-')}-*.jsonl"), key=_mtime, reverse=True)
    finished = False
    for path in records:
        if now - _mtime(path) > RERUN_WINDOW_SECONDS:
            break
        events = read_record(path)
        plan = next((e for e in events if e.get("event") == "plan"), None)
        if plan is None or plan.get("Key") != key:
            continue
        sent = {i for e in events if e.get("event") == "response" for i in e.get("Requested", [])}
        answered = sent | {
            f.get("WorkspaceId") for e in events if e.get("event") == "response" for f in e.get("FailedRequests", [])
        }
        sent |= {i for e in events if e.get("event") == "send" for i in e.get("WorkspaceIds", [])} - answered
        found.sent |= sent
        end = next((e for e in events if e.get("event") == "end"), None)
        if end is not None and not end.get("interrupted"):
            finished = True
        if not finished:
            for workspace_id in sent:
                found.unfinished.setdefault(workspace_id, path)
    return found


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _about_to(
    action: Action, to_send: Sequence[dict[str, Any]], skipped: Sequence[Any], where: str, bundle: str | None
) -> str:
    destination = f" to {bundle}" if bundle else ""
    text = (
        f"About to {action.phrase(count(len(to_send), 'WorkSpace'), start=False)}{destination} {where} "
        f"for {named_users(to_send)}; {len(skipped)} skipped."
    )
    if action.destroys:
        text += f" This {action.destroys}."
    return text


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
    from wsctl.ops.waiting import final_descriptions, finish, follow, shown_after_wait, workspace_items
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
    spec = ActionSpec(
        action.settles_at, before, gone_is_done=action.gone_is_done, may_finish_unseen=action.may_finish_unseen
    )
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
    shown = action_outcome(action, to_send, skipped, sent, sandbox=app.sandbox, final=final, wait_result=result)
    show(app, shown_after_wait(shown, result))
    code = finish(app, result, started=started)
    app.note(_summary(action, sent, skipped, app.service.calls.summary(), time.monotonic() - started))
    return ExitCode.PARTIAL if code == ExitCode.OK and sent.failed else code
