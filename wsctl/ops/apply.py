"""`apply`: make the fleet what the file says, with the machinery of each command and no state file.

The plan is computed as `plan` computes it, shown, and confirmed (terminate's typed
confirmation when --prune terminates anything); then, in a safe order: creates (25 a call,
lost answers reconciled), running mode and compute changes, volume growth in its steps (one
volume a call, each waited for before the next), tags, migrations, terminations last. Every
call goes through the rate limit and botocore's retries and into one run record. With --wait,
what a migrated entry also asks for (its running mode, tags) goes to the new WorkSpace once
the migration is done, and is followed in turn.

Nothing is remembered between runs: a rerun plans again from what AWS reports, so after a
Ctrl-C the same `apply` finishes the job, and an `apply` of a converged fleet sends no
call that changes anything.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wsctl.context import AppContext
from wsctl.errors import ExitCode
from wsctl.ops.changes import Confirm
from wsctl.text import count

if TYPE_CHECKING:
    from wsctl.errors import LocatedProblem
    from wsctl.input.batch import FlagValues
    from wsctl.ops.runrecord import RunRecord
    from wsctl.spec.plan_diff import Change, FleetPlan
    from wsctl.spec.waits import Description, Item, Verdict, WaitResult, WaitSpec


@dataclass
class Applied:
    """What this run sent and what the service answered, by step; safe to read after Ctrl-C."""

    created: list[dict[str, Any]] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    tagged: list[str] = field(default_factory=list)
    migrated: list[dict[str, str]] = field(default_factory=list)
    terminated: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)  # {"Step", "WorkspaceId"|"UserName", ...}
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)  # changed WorkSpace -> properties wanted
    settling: list[dict[str, Any]] = field(default_factory=list)  # the file's WorkSpaces not settled when planned
    users: dict[str, str] = field(default_factory=dict)  # WorkspaceId -> UserName, for the tables
    states: dict[str, str] = field(default_factory=dict)  # WorkspaceId -> State when planned, for the wait

    def data(self) -> dict[str, Any]:
        return {
            "Created": self.created,
            "Changed": self.changed,
            "Tagged": self.tagged,
            "Migrated": self.migrated,
            "Terminated": self.terminated,
            "Failed": self.failed,
        }


def run_apply(
    app: AppContext,
    files: list[str],
    flags: FlagValues,
    *,
    allow_migrate: bool,
    prune: bool,
    confirm: Confirm,
    confirm_terminate: Confirm,
    dry_run: bool,
    wait: bool,
    timeout: float | None,
    poll_interval: float | None,
    flag_problems: list[LocatedProblem] | None = None,
) -> int:
    from wsctl.ops.plan import compute_plan, read_requests, run_plan

    if dry_run:
        return run_plan(
            app, files, flags, allow_migrate=allow_migrate, prune=prune, detailed_exitcode=False,
            flag_problems=flag_problems,
        )  # fmt: skip
    started = time.monotonic()
    requests = read_requests(app, files, flags, flag_problems)
    plan = compute_plan(app, requests, allow_migrate=allow_migrate, prune=prune)
    _show_plan(app, plan)
    calls = plan.calls()
    settling = _settling(plan)
    if not calls:
        app.note("Nothing to change: the fleet is as the file says" + _left_alone(plan) + ".")
        idle = Applied(settling=settling, users=_users(plan), states=_states(plan))
        return _report(app, plan, idle, started, wait=wait, timeout=timeout, poll_interval=poll_interval)
    _confirm(app, plan, confirm, confirm_terminate)
    record = _open_record(app, Calls=calls, Create=len(plan.create), Change=len(plan.change), Extra=len(plan.extra))
    applied = Applied(settling=settling, users=_users(plan), states=_states(plan))
    try:
        stopped = _run_recorded(app, plan, applied, record, poll_interval, timeout)
    except KeyboardInterrupt:
        _show_applied(app, applied)
        app.warn(
            f"interrupted (run record {record.path}); run the same apply again to finish: it plans again "
            "from what AWS reports and sends only what is still different."
        )
        return ExitCode.INTERRUPTED
    except BaseException:
        # Credentials that stopped working mid-run, say: what was sent still reaches the screen.
        if any(applied.data().values()):
            _show_applied(app, applied)
            app.warn(f"stopped (run record {record.path}); once the cause is fixed, run the same apply again.")
        raise
    if stopped is not None:
        _show_applied(app, applied)
        from wsctl.ops.waiting import finish

        code = finish(app, stopped)
        app.warn("stopped between two volume steps; run the same apply again to finish.")
        return code
    return _report(app, plan, applied, started, wait=wait, timeout=timeout, poll_interval=poll_interval)


def _open_record(app: AppContext, **planned: Any) -> RunRecord:
    from wsctl.ops.runrecord import RunRecord

    record = RunRecord("apply", sys.argv[1:], degrade=True)
    app.note(f"Run record: {record.path}")
    record.write("plan", **planned)
    return record


def _run_recorded(
    app: AppContext,
    plan: FleetPlan,
    applied: Applied,
    record: RunRecord,
    poll_interval: float | None,
    timeout: float | None,
) -> Any:
    """`_run`, with the run record closed however it ends (Ctrl-C and other errors go on to the caller)."""
    try:
        stopped = _run(app, plan, applied, record, poll_interval, timeout)
    except BaseException as exc:
        error = {} if isinstance(exc, KeyboardInterrupt) else {"error": f"{type(exc).__name__}: {exc}"}
        record.close(interrupted=True, **error, **_counts(applied))
        raise
    record.close(stopped=stopped is not None, **_counts(applied))
    return stopped


def _settling(plan: FleetPlan) -> list[dict[str, Any]]:
    """The file's WorkSpaces still on their way (PENDING after an earlier apply, a change being applied)."""
    from wsctl.spec.states import FAILED, SETTLED_GOOD

    found = {str(w["WorkspaceId"]): w for w in [*plan.unchanged, *(w for w, _ in plan.in_progress)]}
    return [
        w
        for w in found.values()
        if w.get("State") not in SETTLED_GOOD | FAILED
        or any(m.get("State") != "UPDATE_FAILED" for m in w.get("ModificationStates") or [])
    ]


def _users(plan: FleetPlan) -> dict[str, str]:
    found = [c.workspace for c in plan.change] + [m.workspace for m in plan.migrate] + plan.extra + plan.unchanged
    found += [w for w, _ in plan.in_progress]
    return {str(w["WorkspaceId"]): str(w.get("UserName") or "") for w in found}


def _states(plan: FleetPlan) -> dict[str, str]:
    found = [c.workspace for c in plan.change] + plan.extra + plan.unchanged + [w for w, _ in plan.in_progress]
    return {str(w["WorkspaceId"]): str(w.get("State") or "") for w in found}


def _counts(applied: Applied) -> dict[str, int]:
    return {key: len(value) for key, value in applied.data().items()}


def _left_alone(plan: FleetPlan) -> str:
    parts = []
    if plan.extra and not plan.prune:
        parts.append(f"{count(len(plan.extra), 'extra WorkSpace')} kept (--prune terminates them)")
    if plan.migrate and not plan.allow_migrate:
        parts.append(f"{count(len(plan.migrate), 'migration')} not done (--allow-migrate does them)")
    if plan.cannot:
        parts.append(f"{count(len(plan.cannot), 'difference')} that cannot converge")
    return " except: " + "; ".join(parts) if parts else ""


def _show_plan(app: AppContext, plan: FleetPlan) -> None:
    """The plan on stderr (stdout holds what was done): what a person confirms."""
    from wsctl.render.consoles import print_table
    from wsctl.render.plan import plan_outcome
    from wsctl.render.tables import FIT_WIDTH

    fitting = FIT_WIDTH.set(app.err.width if app.err.is_terminal else None)
    try:
        for make in plan_outcome(plan, sandbox=app.sandbox).tables:
            print_table(app.err, make())
    finally:
        FIT_WIDTH.reset(fitting)


def _confirm(app: AppContext, plan: FleetPlan, confirm: Confirm, confirm_terminate: Confirm) -> None:
    """Say where and what (as every changing command does), then ask: terminate's typed count with --prune."""
    from wsctl.ops.changes import mode_switches, named_users

    migrating = [m.workspace for m in plan.migrate] if plan.allow_migrate else []
    terminating = plan.extra if plan.prune else []
    affected = len(plan.create) + len(plan.change) + len(migrating)
    typed = bool(terminating)
    where = app.where(account=confirm_terminate.asks(len(terminating)) if typed else confirm.asks(affected))
    what = [
        f"{verb} {count(n, 'WorkSpace')}"
        for verb, n in (
            ("create", len(plan.create)),
            ("change", len(plan.change)),
            ("migrate", len(migrating)),
            ("terminate", len(terminating)),
        )
        if n
    ]
    users = [*plan.create, *(c.workspace for c in plan.change), *migrating, *terminating]
    app.note(f"About to {', '.join(what)} {where.long} for {named_users(users)}.")
    modes = [(c.workspace.get("WorkspaceProperties") or {}, c.target) for c in plan.change]
    switches = mode_switches([(now.get("RunningMode"), then.get("RunningMode")) for now, then in modes])
    if switches:  # what it costs, on a line of its own
        app.note(switches)
    if typed:
        others = f" and apply the rest ({affected:,} more)" if affected else ""
        confirm_terminate(f"Terminate {count(len(terminating), 'WorkSpace')}{others} {where.short}?", len(terminating))
        return
    confirm(f"Apply the plan to {count(affected, 'WorkSpace')} {where.short}?", affected)


def _run(
    app: AppContext,
    plan: FleetPlan,
    applied: Applied,
    record: RunRecord,
    poll_interval: float | None,
    timeout: float | None,
) -> Any:
    """Each step in its turn; returns the wait between two volume steps when it did not finish, else None."""
    if plan.create:
        _create(app, plan, applied, record)
    modifies = [c for c in plan.change if c.steps]
    if modifies:
        stopped = _modify(app, plan, applied, record, poll_interval, timeout)
        if stopped is not None:
            return stopped
    tags = [c for c in plan.change if c.tags_set or c.tags_removed]
    if tags:
        from wsctl.aws.modifies import ModifyOutcome

        app.note(f"Tags: {count(len(tags), 'WorkSpace')}.")
        outcome = ModifyOutcome()
        try:
            app.service.change_tags([(c.workspace_id, c.tags_set, c.tags_removed) for c in tags], outcome, record)
        finally:
            applied.tagged += outcome.modified
            applied.failed += [{"Step": "tags", **f} for f in outcome.failed]
    if plan.migrate and plan.allow_migrate:
        _migrate(app, plan, applied, record)
    if plan.extra and plan.prune:
        from wsctl.aws.lifecycle import ActionOutcome
        from wsctl.spec.actions import ACTIONS

        app.note(f"Terminating {count(len(plan.extra), 'extra WorkSpace')}.")
        sent = ActionOutcome()
        try:
            app.service.act(ACTIONS["terminate"], [w["WorkspaceId"] for w in plan.extra], sent, record)
        finally:
            applied.terminated += sent.requested
            applied.failed += [{"Step": "terminate", **f} for f in sent.failed]
    return None


def _create(app: AppContext, plan: FleetPlan, applied: Applied, record: RunRecord) -> None:
    from wsctl.aws.creates import CreateOutcome
    from wsctl.ops.create import _settle

    app.note(f"Creating {count(len(plan.create), 'WorkSpace')}.")
    outcome = CreateOutcome()
    interrupted = False
    try:
        app.service.create_workspaces(plan.create, outcome, record)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        # What got no answer is looked up before anything is reported (as `create` does).
        interrupted = _settle(app.service, outcome, record, interrupted=interrupted, stopped=False) or interrupted
        applied.created += [
            {k: w.get(k) for k in ("WorkspaceId", "DirectoryId", "UserName", "BundleId", "State")}
            for w in outcome.pending
        ]
        applied.failed += [
            {
                "Step": "create",
                "UserName": f.get("WorkspaceRequest", {}).get("UserName"),
                "ErrorCode": f.get("ErrorCode"),
                "ErrorMessage": f.get("ErrorMessage"),
            }
            for f in outcome.failed
        ]
    if interrupted:
        raise KeyboardInterrupt


def _modify(
    app: AppContext,
    plan: FleetPlan,
    applied: Applied,
    record: RunRecord,
    poll_interval: float | None,
    timeout: float | None,
) -> Any:
    from wsctl.aws.modifies import ModifyOutcome
    from wsctl.ops.changes import Plan, PlannedChange, _run_steps
    from wsctl.spec.durations import timeout_for

    changes = [PlannedChange(c.workspace, c.steps, c.target) for c in plan.change if c.steps]
    steps = sum(len(c.steps) for c in changes)
    app.note(f"Changing properties: {count(len(changes), 'WorkSpace')}, {count(steps, 'call')}.")
    outcome = ModifyOutcome()
    try:
        return _run_steps(
            app,
            Plan(changes),
            outcome,
            record,
            _step_note,
            poll_interval,
            timeout_for("modify-volume", timeout),
        )
    finally:
        done = outcome.modified or sorted(outcome.requested)
        applied.changed += done
        applied.targets.update({c.workspace_id: c.target for c in changes if c.workspace_id in set(done)})
        applied.failed += [{"Step": "modify", **f} for f in outcome.failed]


def _step_note(change: Any, index: int) -> str:
    return "running mode, compute type and the first volume" if index == 0 else "the next volume"


def _migrate(app: AppContext, plan: FleetPlan, applied: Applied, record: RunRecord) -> None:
    from wsctl.aws.lifecycle import ActionOutcome
    from wsctl.spec.actions import ACTIONS

    by_bundle: dict[str, list[str]] = {}
    for migration in plan.migrate:
        by_bundle.setdefault(migration.bundle_id, []).append(str(migration.workspace["WorkspaceId"]))
    app.note(f"Migrating {count(len(plan.migrate), 'WorkSpace')}.")
    for bundle_id, ids in by_bundle.items():
        sent = ActionOutcome()
        try:
            app.service.act(ACTIONS["migrate"], ids, sent, record, bundle_id=bundle_id)
        finally:
            applied.migrated += sent.migrated
            applied.failed += [{"Step": "migrate", **f} for f in sent.failed]


def _show_applied(app: AppContext, applied: Applied, **extra: Any) -> int:
    from wsctl.render.outcome import show
    from wsctl.render.plan import applied_outcome

    return show(app, applied_outcome({**applied.data(), **extra}, users=applied.users, sandbox=app.sandbox))


def _report(
    app: AppContext,
    plan: FleetPlan,
    applied: Applied,
    started: float,
    *,
    wait: bool,
    timeout: float | None,
    poll_interval: float | None,
) -> int:
    failed = ExitCode.PARTIAL if applied.failed or plan.cannot else ExitCode.OK
    if not wait:
        _show_applied(app, applied)
        _say_in_progress(app, applied)
        app.note(f"calls: {app.service.calls.summary()} · {time.monotonic() - started:.1f} s")
        return failed
    from wsctl.ops.waiting import finish

    result = _follow(app, applied, timeout, poll_interval) if _followed(applied) else None
    if result is not None and (result.interrupted or result.timed_out):
        _show_applied(app, applied)
        return finish(app, result)  # what is pending, and how to keep waiting; no plan of a fleet in motion
    from wsctl.ops.plan import compute_plan

    def replan() -> FleetPlan:
        return compute_plan(app, plan.requests, allow_migrate=plan.allow_migrate, prune=plan.prune)

    # The same requests, planned again from what AWS reports once everything settled (what an
    # earlier apply started too); with nothing to follow, the plan just made is still true.
    again = plan
    code: int = ExitCode.OK
    if result is not None:
        again = replan()
        then = _then_changes(again, applied)
        if then:
            code = finish(app, result)  # the migrations' wait, before the round that follows them
            try:
                result = _apply_then(app, again, then, applied, timeout, poll_interval)
            except KeyboardInterrupt:
                _show_applied(app, applied)
                app.warn("interrupted; run the same apply again to finish: it sends only what is still different.")
                return ExitCode.INTERRUPTED
            if result is not None and (result.interrupted or result.timed_out):
                _show_applied(app, applied)
                return finish(app, result)
            if result is not None:
                again = replan()
    from wsctl.render.plan import plan_data, plan_lines

    converged = not again.calls() and not again.cannot
    _show_applied(app, applied, Converged=converged, Remaining=plan_data(again))
    if result is not None:
        last = finish(app, result)
        code = last if last != ExitCode.OK else code
    app.note(f"calls: {app.service.calls.summary()} · {time.monotonic() - started:.1f} s")
    if converged:
        app.note("Converged: the fleet is as the file says" + _left_alone(again) + ".")
        return code if code != ExitCode.OK else failed
    app.warn("not converged; still different:")
    for line in plan_lines(again, app.err.width if app.err.is_terminal else None):
        app.note(line)
    return code if code in (ExitCode.TIMEOUT, ExitCode.INTERRUPTED) else ExitCode.PARTIAL


def _then_changes(again: FleetPlan, applied: Applied) -> list[Change]:
    """What the plan showed under each migration (`then ...`), now owed by the new WorkSpace."""
    targets = {m["TargetWorkspaceId"] for m in applied.migrated}
    return [c for c in again.change if c.workspace_id in targets]


def _apply_then(
    app: AppContext,
    again: FleetPlan,
    then: list[Change],
    applied: Applied,
    timeout: float | None,
    poll_interval: float | None,
) -> WaitResult | None:
    """Send the `then` changes of the migrations this run made, and follow them; the user confirmed them with
    the plan. Returns the wait (None when nothing was sent); Ctrl-C ends it as it ends any wait."""
    from wsctl.spec.plan_diff import FleetPlan

    app.note(f"Then what the plan showed under the migrations: {count(len(then), 'migrated WorkSpace')}.")
    sub = FleetPlan(requests=again.requests, change=then)
    more = Applied(users=_users(sub), states=_states(sub))
    record = _open_record(app, Calls=sub.calls(), Create=0, Change=len(then), Extra=0, AfterMigration=True)
    try:
        stopped = _run_recorded(app, sub, more, record, poll_interval, timeout)
    finally:  # Ctrl-C (the caller reports it), or credentials that stopped working: what was sent is counted
        applied.changed += more.changed
        applied.tagged += more.tagged
        applied.failed += more.failed
        applied.targets.update(more.targets)
        applied.users.update(more.users)
    if stopped is not None:
        return stopped  # type: ignore[no-any-return]
    return _follow(app, more, timeout, poll_interval) if _followed(more) else None


def _followed(applied: Applied) -> bool:
    return bool(applied.created or applied.changed or applied.migrated or applied.terminated or applied.settling)


def _say_in_progress(app: AppContext, applied: Applied) -> None:
    parts = []
    if applied.created:
        parts.append(f"{count(len(applied.created), 'WorkSpace')} being created")
    if applied.changed:
        parts.append(f"property changes on {count(len(applied.changed), 'WorkSpace')} being applied")
    if applied.migrated:
        parts.append(f"{count(len(applied.migrated), 'migration')}")
    if applied.terminated:
        parts.append(f"{count(len(applied.terminated), 'WorkSpace')} terminating")
    if applied.settling:
        parts.append(f"{count(len(applied.settling), 'WorkSpace')} of the file not settled yet (from earlier)")
    if parts:
        app.note(f"Still in progress: {'; '.join(parts)}. apply --wait follows them to the end, then plans again.")


def _known(applied: Applied, workspace_id: str) -> Item:
    from wsctl.spec.waits import Item

    state = applied.states.get(workspace_id) or None
    return Item(workspace_id, applied.users.get(workspace_id, ""), state, seen=True)


class _BySpec:
    """One wait over items of different kinds: each judged by the spec of the step that sent it."""

    def __init__(self, specs: Mapping[str, WaitSpec]) -> None:
        self.specs = specs

    def judge(self, item: Item, description: Description | None, elapsed: float) -> Verdict:
        return self.specs[item.id].judge(item, description, elapsed)


def _follow(app: AppContext, applied: Applied, timeout: float | None, poll_interval: float | None) -> WaitResult:
    from wsctl.ops.waiting import follow
    from wsctl.spec.actions import ACTIONS
    from wsctl.spec.durations import timeout_for
    from wsctl.spec.waits import ActionSpec, Item, ModifySpec, SettleSpec

    settle = SettleSpec()
    modify = ModifySpec(applied.targets)
    terminate = ACTIONS["terminate"]
    before: dict[str, str | None] = {i: applied.states.get(i) for i in applied.terminated}
    gone = ActionSpec(terminate.settles_at, before, gone_is_done=True)
    items: list[Item] = []
    specs: dict[str, WaitSpec] = {}
    for ws in applied.created:
        items.append(Item(str(ws["WorkspaceId"]), str(ws.get("UserName") or ""), "PENDING"))
        specs[items[-1].id] = settle
    for workspace_id in applied.changed:
        items.append(_known(applied, workspace_id))
        specs[workspace_id] = modify
    for migration in applied.migrated:
        user = applied.users.get(migration["SourceWorkspaceId"], "")
        items.append(Item(migration["TargetWorkspaceId"], user, "PENDING"))
        specs[items[-1].id] = settle
    for workspace_id in applied.terminated:
        items.append(_known(applied, workspace_id))
        specs[workspace_id] = gone
    for ws in applied.settling:
        if str(ws["WorkspaceId"]) not in specs:
            items.append(_known(applied, str(ws["WorkspaceId"])))
            specs[items[-1].id] = settle
    # The longest of the documented durations of what was sent (a volume change: 2 hours).
    kinds = ["create"] + (["modify-volume"] if applied.changed else []) + (["migrate"] if applied.migrated else [])
    limit = max(timeout_for(k, timeout) for k in kinds)
    return follow(
        app,
        items,
        app.service.describe_workspaces_by_id,
        _BySpec(specs),
        noun="WorkSpace",
        detail="to settle",
        timeout=limit,
        poll_interval=poll_interval,
    )
