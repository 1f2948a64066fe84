"""What `set-mode` and `modify` share: targets, the plan, confirmation, sending, waiting, output.

Each command turns its flags into `PlannedChange`s (one per WorkSpace, with the calls to
make in order); everything after that is the same for both.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from wsctl.context import AppContext
from wsctl.errors import ExitCode, InvalidInput, LocatedProblem, UsageError
from wsctl.input.targets import Target, ids_from_arguments, read_target_file
from wsctl.text import count

Props = dict[str, Any]
USERS_NAMED = 3  # an "About to" line names this many users, then says how many more


class Confirm(Protocol):
    """Asks whether to go ahead with `question` about `count` items, and raises when the answer is no.

    The CLI supplies it (prompts are the CLI's), so a use case never talks to a terminal.
    """

    def asks(self, count: int) -> bool:
        """Whether a question will be shown for `count` items (only then is the account looked up)."""
        ...

    def __call__(self, question: str, count: int) -> None: ...


# How each running mode is billed, said where a change switches it (AWS WorkSpaces pricing:
# AutoStop by the hour, AlwaysOn a fixed monthly price; MANUAL is WorkSpaces Core's, not stated).
BILLING = {"AUTO_STOP": "billed by the hour", "ALWAYS_ON": "billed monthly"}


def named_users(workspaces: Sequence[dict[str, Any]], key: str = "UserName") -> str:
    """'alice, bob, carol and 47 more': the first few users of what is about to change."""
    names = [str(w.get(key) or w.get("WorkspaceId") or "?") for w in workspaces[:USERS_NAMED]]
    more = len(workspaces) - len(names)
    return ", ".join(names) + (f" and {more:,} more" if more > 0 else "")


def mode_words(mode: str) -> str:
    return f"{mode} ({BILLING[mode]})" if mode in BILLING else mode


def mode_switches(pairs: Sequence[tuple[str | None, str | None]]) -> str:
    """'This switches 12 WorkSpaces from AUTO_STOP (billed by the hour) to ALWAYS_ON (billed monthly).' or ''."""
    counts: dict[tuple[str, str], int] = {}
    for before, after in pairs:
        if before and after and before != after:
            counts[(before, after)] = counts.get((before, after), 0) + 1
    parts = [
        f"{count(n, 'WorkSpace')} from {mode_words(before)} to {mode_words(after)}"
        for (before, after), n in sorted(counts.items(), key=lambda kv: -kv[1])
    ]
    return f"This switches {'; '.join(parts)}." if parts else ""


@dataclass
class PlannedChange:
    workspace: dict[str, Any]  # the current description
    steps: list[Props]  # WorkspaceProperties for each call, in order
    target: Props  # the properties wanted in the end

    @property
    def workspace_id(self) -> str:
        return str(self.workspace["WorkspaceId"])

    @property
    def user_name(self) -> str:
        return str(self.workspace.get("UserName", ""))


@dataclass
class Plan:
    changes: list[PlannedChange] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    problems: list[LocatedProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def refuse_missing(missing: Sequence[Target]) -> None:
    """Exit 2 naming each target the service does not know."""
    if missing:
        raise InvalidInput(
            [LocatedProblem(t.where, "", f"no WorkSpace {t.workspace_id} in this account and Region") for t in missing],
            hint="check the IDs and --region (wsctl describe lists the WorkSpaces)",
        )


def resolve_targets(
    app: AppContext,
    ids: list[str],
    file: str | None,
    directory_id: str | None,
    bundle_id: str | None,
    *,
    allowed: set[str],
    int_keys: set[str],
) -> tuple[list[Target], list[dict[str, Any]], list[Target]]:
    """(targets found, their descriptions, targets the service does not know); exit 2 on bad input."""
    targets, problems = ids_from_arguments(ids, app.stdin)
    if file:
        loaded = read_target_file(file, allowed, int_keys, app.stdin)
        targets += loaded.targets
        problems += loaded.problems
    seen = _check_targets(targets, problems, directory_id, bundle_id)
    service = app.service
    found = service.describe_workspaces_by_id(list(seen)) if seen else {}
    missing = [t for t in seen.values() if t.workspace_id not in found]
    workspaces = [found[t.workspace_id] for t in seen.values() if t.workspace_id in found]
    if directory_id or bundle_id:
        selected = service.describe_workspaces(directory_id=directory_id, bundle_id=bundle_id)
        for ws in selected:
            if ws["WorkspaceId"] not in seen:
                seen[ws["WorkspaceId"]] = Target(ws["WorkspaceId"], "--directory-id" if directory_id else "--bundle-id")
                workspaces.append(ws)
        if not selected:
            app.note(f"No WorkSpaces in {directory_id or bundle_id}.")
    known = {w["WorkspaceId"] for w in workspaces}
    return [t for t in seen.values() if t.workspace_id in known], workspaces, missing


def _check_targets(
    targets: list[Target], problems: list[LocatedProblem], directory_id: str | None, bundle_id: str | None
) -> dict[str, Target]:
    """Patterns and duplicates, before any call; raises InvalidInput listing every problem."""
    from wsctl.spec import model

    if directory_id and bundle_id:
        problems.append(LocatedProblem("--directory-id --bundle-id", "", "select by one of them, not both"))
    checker = model.validator()
    for flag, shape, value in (("--directory-id", "DirectoryId", directory_id), ("--bundle-id", "BundleId", bundle_id)):
        if value is not None:
            problems += [LocatedProblem(flag, "", p.message) for p in checker.validate_shape(shape, value)]
    seen: dict[str, Target] = {}
    for target in targets:
        for p in checker.validate_shape("WorkspaceId", target.workspace_id):
            problems.append(LocatedProblem(target.where, "workspace_id", p.message))
        if target.workspace_id in seen:
            first = seen[target.workspace_id].where
            problems.append(LocatedProblem(target.where, "workspace_id", f"{target.workspace_id} is also at {first}"))
        seen[target.workspace_id] = target
    if problems:
        raise InvalidInput(problems)
    return seen


def no_targets_error() -> UsageError:
    return UsageError(
        "missing targets: give WorkSpace IDs, - (IDs on stdin), --directory-id, --bundle-id or -f FILE",
        hint="run on a terminal to pick WorkSpaces interactively",
    )


def apply_plan(
    app: AppContext,
    plan: Plan,
    *,
    command: str,
    describe: Callable[[Props], str],
    confirm: Confirm,
    dry_run: bool,
    wait: bool,
    timeout: float | None,
    poll_interval: float | None,
    timeout_kind: str,
    step_note: Callable[[PlannedChange, int], str] | None = None,
) -> int:
    from wsctl.aws.modifies import ModifyOutcome
    from wsctl.render.modify import modify_plan_outcome, modify_results_outcome
    from wsctl.render.outcome import show

    for line in plan.warnings:
        app.warn(line)
    if dry_run:
        show(app, modify_plan_outcome(plan, describe, sandbox=app.sandbox))
        return ExitCode.OK
    if not plan.changes:
        show(app, modify_results_outcome(plan, [], [], describe, sandbox=app.sandbox))
        app.note(f"Nothing to change: {count(len(plan.unchanged), 'WorkSpace')} already as requested.")
        return ExitCode.OK
    from wsctl.ops.runrecord import RunRecord

    changes = len(plan.changes)
    where = app.where(account=confirm.asks(changes))
    workspaces = [c.workspace for c in plan.changes]
    switches = mode_switches([(_mode(c.workspace.get("WorkspaceProperties")), _mode(c.target)) for c in plan.changes])
    app.note(
        f"About to change {count(changes, 'WorkSpace')} ({_transitions(plan, describe)}) {where.long} "
        f"for {named_users(workspaces)}; {len(plan.unchanged)} unchanged."
    )
    if switches:  # what it costs, on a line of its own
        app.note(switches)
    confirm(f"Change {count(changes, 'WorkSpace')} {where.short}?", changes)
    started = time.monotonic()  # the summary gives the whole run's time, steps and waits together
    record = RunRecord(command, sys.argv[1:])
    app.note(f"Run record: {record.path}")
    outcome = ModifyOutcome()
    from wsctl.spec.durations import timeout_for

    wait_timeout = timeout_for(timeout_kind, timeout)
    try:
        stopped = _run_steps(app, plan, outcome, record, step_note, poll_interval, wait_timeout)
    except KeyboardInterrupt:
        return _stopped_early(app, plan, outcome, record, describe, None, started)
    if outcome.retried:
        app.note(f"{count(outcome.retried, 'call')} waited for an earlier change to finish and went through.")
    if stopped is not None:
        return _stopped_early(app, plan, outcome, record, describe, stopped, started)
    record.close(modified=outcome.modified, failed=outcome.failed)
    if wait and outcome.modified:
        result = _follow(app, plan, outcome.modified, wait_timeout, poll_interval)
        from wsctl.ops.waiting import final_descriptions, show_and_finish

        final = final_descriptions(result)
        report = modify_results_outcome(
            plan, outcome.modified, outcome.failed, describe, sandbox=app.sandbox, final=final, wait_result=result
        )
        code = show_and_finish(app, report, result, started=started)
        return ExitCode.PARTIAL if code == ExitCode.OK and outcome.failed else code
    return show(app, modify_results_outcome(plan, outcome.modified, outcome.failed, describe, sandbox=app.sandbox))


def _stopped_early(
    app: AppContext,
    plan: Plan,
    outcome: Any,
    record: Any,
    describe: Callable[[Props], str],
    stopped: Any,
    started: float | None = None,
) -> int:
    """Ctrl-C, or a wait between two steps that timed out: say what was done and how to finish."""
    from wsctl.render.modify import modify_results_outcome
    from wsctl.render.outcome import show

    outcome.modified = sorted(outcome.requested)
    record.close(stopped=True, requested=outcome.modified, failed=outcome.failed)
    from wsctl.ops.waiting import finish, shown_after_wait

    shown = modify_results_outcome(plan, outcome.modified, outcome.failed, describe, sandbox=app.sandbox)
    show(app, shown_after_wait(shown, stopped) if stopped is not None else shown)
    app.warn(
        f"stopped after changes were requested for {count(len(outcome.modified), 'WorkSpace')} "
        f"(run record {record.path}); once they have applied, run the same command again to finish: "
        "WorkSpaces already as requested are skipped."
    )
    if stopped is not None:  # the pending WorkSpaces, how to keep waiting, and the summary line last
        return finish(app, stopped, started=started)
    return ExitCode.INTERRUPTED


def _mode(props: Props | None) -> str | None:
    return (props or {}).get("RunningMode")


def _transitions(plan: Plan, describe: Callable[[Props], str]) -> str:
    counts: dict[str, int] = {}
    for change in plan.changes:
        key = f"{describe(change.workspace.get('WorkspaceProperties') or {})} -> {describe(change.target)}"
        counts[key] = counts.get(key, 0) + 1
    return "; ".join(f"{n}x {t}" for t, n in sorted(counts.items(), key=lambda kv: -kv[1])[:4])


def _follow(app: AppContext, plan: Plan, ids: Sequence[str], timeout: float, poll_interval: float | None) -> Any:
    from wsctl.ops.waiting import follow
    from wsctl.spec.waits import Item, ModifySpec

    by_id = {c.workspace_id: c for c in plan.changes}
    items = [
        Item(i, by_id[i].user_name, by_id[i].workspace.get("State"), seen=True, change=_last_step(by_id[i]))
        for i in ids
    ]
    spec = ModifySpec({i: by_id[i].target for i in ids})
    return follow(
        app,
        items,
        app.service.describe_workspaces_by_id,
        spec,
        noun="changed WorkSpace",
        timeout=timeout,
        poll_interval=poll_interval,
    )


def _run_steps(
    app: AppContext,
    plan: Plan,
    outcome: Any,
    record: Any,
    step_note: Callable[[PlannedChange, int], str] | None,
    poll_interval: float | None,
    step_timeout: float,
) -> Any:
    """Send step 1 for every WorkSpace, wait for it to apply where another step follows, then step 2...

    Accepted calls are added to `outcome.requested` as they return, so an interruption loses
    nothing. Returns the wait between two steps when it timed out or was interrupted, else None.
    """
    from wsctl.aws.modifies import ModifyOutcome
    from wsctl.ops.modify import send_modifies
    from wsctl.ops.waiting import follow
    from wsctl.render.live import duration
    from wsctl.spec.waits import Item, ModifySpec, Status

    active = list(plan.changes)
    total = max(len(c.steps) for c in active)
    for index in range(total):
        batch = [c for c in active if len(c.steps) > index]
        began = time.monotonic()
        if total > 1 and step_note is not None:
            app.note(f"Step {index + 1} of {total}: {step_note(batch[0], index)} on {count(len(batch), 'WorkSpace')}.")
        step = ModifyOutcome()
        try:
            calls = [(c.workspace_id, c.steps[index]) for c in batch]
            what = f"step {index + 1} of {total}" if total > 1 else count(len(calls), "ModifyWorkspaceProperties call")
            send_modifies(app, calls, step, record, what=what)
        finally:
            outcome.requested.update(step.modified)
            outcome.failed.extend(step.failed)
            outcome.retried += step.retried
        failed_ids = {f["WorkspaceId"] for f in step.failed}
        active = [c for c in active if c.workspace_id not in failed_ids]
        later = [c for c in active if len(c.steps) > index + 1]
        if not later:
            if total > 1:
                took = duration(time.monotonic() - began)
                app.note(f"Step {index + 1} of {total} sent to {len(step.modified)}/{len(batch)} in {took}.")
            continue
        app.note(
            f"Waiting for step {index + 1} to apply before step {index + 2} "
            "(the service takes one volume change per call)."
        )
        items = [
            Item(c.workspace_id, c.user_name, c.workspace.get("State"), seen=True, change=_change_of(c, index))
            for c in later
        ]
        result = follow(
            app,
            items,
            app.service.describe_workspaces_by_id,
            ModifySpec({c.workspace_id: _cumulative(c, index) for c in later}),
            noun="WorkSpace",
            detail=f"to apply step {index + 1}",
            timeout=step_timeout,
            poll_interval=poll_interval,
        )
        if result.interrupted or result.timed_out:
            return result
        for item in result.failed:
            outcome.fail(item.id, "StepNotApplied", f"step {index + 1} did not apply: {item.reason}")
        done = {i.id for i in result.items if i.status is Status.SUCCEEDED}
        took = duration(time.monotonic() - began)
        if len(later) == len(batch):
            app.note(f"Step {index + 1} applied to {len(done)}/{len(later)} in {took}.")
        else:  # only the WorkSpaces with a next step were waited for: say which count is which
            app.note(
                f"Step {index + 1} sent to {len(step.modified)}/{len(batch)}; applied to {len(done)}/{len(later)} "
                f"with a step {index + 2}, in {took}."
            )
        active = [c for c in active if len(c.steps) <= index + 1 or c.workspace_id in done]
    outcome.modified.extend(c.workspace_id for c in active)
    return None


def _change_of(change: PlannedChange, index: int) -> str:
    """Step `index` of a change in words ("user volume 50 -> 100 GiB"), for the wait that follows it."""
    from wsctl.ops.modify import change_text

    now: Props = change.workspace.get("WorkspaceProperties") or {}
    return change_text({**now, **_cumulative(change, index - 1)}, change.steps[index])


def _last_step(change: PlannedChange) -> str:
    return _change_of(change, len(change.steps) - 1)  # the steps before it were waited for


def _cumulative(change: PlannedChange, index: int) -> Props:
    props: Props = {}
    for step in change.steps[: index + 1]:
        props.update(step)
    return props


def locate_problems(
    problems: Sequence[Any], target: Target, flags: dict[str, str], member_keys: dict[str, str]
) -> list[LocatedProblem]:
    """Point each problem at the file value or the flag it came from."""
    out = []
    for p in problems:
        key = member_keys.get(p.member, p.member)
        if key in target.sources:
            out.append(LocatedProblem(target.sources[key], key, f"{target.workspace_id}: {p.message}"))
        elif key in flags:  # the same flag value for every target: one message, not one per WorkSpace
            out.append(LocatedProblem(flags[key], "", p.message))
        else:
            out.append(LocatedProblem(target.where, key, f"{target.workspace_id}: {p.message}"))
    return out
