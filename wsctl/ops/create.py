"""`create`: validate a batch, leave out users who already have a WorkSpace, send the rest 25 a call."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from wsctl.context import AppContext
from wsctl.errors import ExitCode, InvalidInput, UsageError
from wsctl.ops.changes import Confirm
from wsctl.ops.waiting import wait_after_create
from wsctl.text import count

if TYPE_CHECKING:
    from wsctl.aws.creates import CreateOutcome
    from wsctl.errors import LocatedProblem
    from wsctl.input.batch import FlagValues


def run_create(
    app: AppContext,
    files: list[str],
    flags: FlagValues,
    *,
    dry_run: bool,
    confirm: Confirm,
    wait: bool,
    timeout: float | None,
    poll_interval: float | None,
    flag_problems: list[LocatedProblem] | None = None,
) -> int:
    from wsctl.aws.creates import CreateOutcome, user_key
    from wsctl.input.batch import load_batch
    from wsctl.render.create import plan_outcome, results_outcome, summary_line
    from wsctl.render.outcome import show

    started = time.monotonic()
    batch = load_batch(files, flags, app.stdin)
    if batch.problems or flag_problems:
        raise InvalidInput([*(flag_problems or []), *batch.problems])
    if not batch.requests:
        given = [("<stdin>" if f == "-" else f) for f in files] or ["the flags"]
        raise UsageError(f"nothing to create: no entries in {', '.join(given)}")
    for line in batch.warnings:
        app.warn(line)
    requests = [p.request for p in batch.requests]
    service = app.service
    keyed = [(r["DirectoryId"], r["UserName"]) for r in requests if r.get("UserName") != "[UNDEFINED]"]
    found = service.find_existing(keyed)
    existing = [found[user_key(d, u)] for d, u in keyed if user_key(d, u) in found]
    to_send = [
        r
        for r in requests
        if user_key(r["DirectoryId"], r["UserName"]) not in found or r.get("UserName") == "[UNDEFINED]"
    ]
    calls = -(-len(to_send) // 25)
    if dry_run:
        show(app, plan_outcome(to_send, existing, calls, sandbox=app.sandbox))
        return ExitCode.OK
    if not to_send:
        app.note(f"Nothing to create: all {count(len(existing), 'user')} already have a WorkSpace.")
        if wait:
            return wait_after_create(app, [], existing, None, requests, timeout=timeout, poll_interval=poll_interval)
        show(app, results_outcome([], [], existing, sandbox=app.sandbox))
        return ExitCode.OK
    _print_summary(app, to_send, existing)
    confirm(f"Create {count(len(to_send), 'WorkSpace')}?", len(to_send))
    from wsctl.ops.runrecord import RunRecord

    record = RunRecord("create", sys.argv[1:])
    app.note(f"Run record: {record.path}")
    record.write("plan", Requests=to_send, Existing=[w["WorkspaceId"] for w in existing])
    outcome = CreateOutcome(existing=existing)
    try:
        service.create_workspaces(to_send, outcome, record)
    except KeyboardInterrupt:
        record.close(interrupted=True, created=len(outcome.pending))
        _report_interrupted(app, outcome, len(to_send), record.path)
        return ExitCode.INTERRUPTED
    except BaseException as exc:
        record.close(error=f"{type(exc).__name__}: {exc}", created=len(outcome.pending))
        if outcome.pending:
            show(app, results_outcome(outcome.pending, outcome.failed, existing, sandbox=app.sandbox))
            app.warn(
                f"stopped after {len(outcome.pending):,} WorkSpaces were created; rerun the same command "
                f"to finish (run record: {record.path})"
            )
        raise
    record.close(created=len(outcome.pending), failed=len(outcome.failed), existing=len(existing))
    if outcome.recovered:
        app.note(
            f"{len(outcome.recovered)} WorkSpaces whose responses were lost were found and are reported as pending."
        )
    if not wait:
        show(app, results_outcome(outcome.pending, outcome.failed, existing, sandbox=app.sandbox))
    app.note(
        summary_line(
            len(outcome.pending),
            len(existing),
            len(outcome.failed),
            service.calls.summary(),
            time.monotonic() - started,
        )
    )
    if wait:
        return wait_after_create(
            app, outcome.pending, existing, outcome, requests, timeout=timeout, poll_interval=poll_interval
        )
    return ExitCode.PARTIAL if outcome.failed else ExitCode.OK


def _print_summary(app: AppContext, to_send: list[dict[str, Any]], existing: list[dict[str, Any]]) -> None:
    directories = sorted({r["DirectoryId"] for r in to_send})
    bundles = sorted({r["BundleId"] for r in to_send})
    modes = sorted({(r.get("WorkspaceProperties") or {}).get("RunningMode") or "bundle default" for r in to_send})
    app.note(
        f"About to create {len(to_send):,} WorkSpace{'s' if len(to_send) != 1 else ''} "
        f"in {', '.join(directories)} from {', '.join(bundles)} "
        f"(running mode: {', '.join(modes)}); {len(existing):,} already exist and will not be sent."
    )


def _report_interrupted(app: AppContext, outcome: CreateOutcome, planned: int, path: object) -> None:
    from wsctl.render.create import results_outcome
    from wsctl.render.outcome import show

    show(app, results_outcome(outcome.pending, outcome.failed, outcome.existing, sandbox=app.sandbox))
    app.warn(
        f"interrupted: {len(outcome.pending):,} of {planned:,} WorkSpaces were created before the stop "
        f"(all of them are in the run record {path}). Run the same command again to finish; "
        "users who already have a WorkSpace are not sent twice."
    )
