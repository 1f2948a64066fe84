"""`create`: validate a batch, leave out users who already have a WorkSpace, send the rest 25 a call."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from wsctl.context import AppContext
from wsctl.errors import ExitCode, InvalidInput, UsageError, WsctlError
from wsctl.ops.changes import Confirm
from wsctl.ops.waiting import wait_after_create
from wsctl.text import count

# After Ctrl-C or an error during the calls, how long the lookup of unanswered requests may take.
SETTLE_SECONDS = 30.0

if TYPE_CHECKING:
    from wsctl.aws.creates import CreateOutcome
    from wsctl.aws.service import WorkspacesService
    from wsctl.errors import LocatedProblem
    from wsctl.input.batch import FlagValues
    from wsctl.ops.runrecord import RunRecord


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
    from wsctl.render.create import plan_outcome, results_outcome
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
    try:
        found = service.find_existing(keyed)
    except WsctlError as exc:
        exc.hint = exc.hint or "nothing was sent; run the same command again later"
        raise
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
        who = "the user already has" if len(existing) == 1 else f"all {count(len(existing), 'user')} already have"
        app.note(f"Nothing to create: {who} a WorkSpace.")
        if wait:
            return wait_after_create(
                app, [], existing, None, requests, timeout=timeout, poll_interval=poll_interval, started=started
            )
        show(app, results_outcome([], [], existing, sandbox=app.sandbox))
        return ExitCode.OK
    where = app.where(account=confirm.asks(len(to_send)))
    _print_summary(app, to_send, existing, where.long)
    confirm(f"Create {count(len(to_send), 'WorkSpace')} {where.short}?", len(to_send))
    from wsctl.ops.runrecord import RunRecord

    # A WsctlError naming the path if it cannot be written; later failures only warn (see _notes).
    record = RunRecord("create", sys.argv[1:], degrade=True)
    app.note(f"Run record: {record.path}")
    record.write("plan", Requests=to_send, Existing=[w["WorkspaceId"] for w in existing])
    outcome = CreateOutcome(existing=existing)
    interrupted = False
    error: Exception | None = None
    try:
        service.create_workspaces(to_send, outcome, record)
    except KeyboardInterrupt:
        interrupted = True
    except Exception as exc:  # reported after what was done is printed
        error = exc
    interrupted = _settle(service, outcome, record, interrupted=interrupted, stopped=error is not None)
    ending: dict[str, Any] = {"interrupted": True} if interrupted else {}
    if error is not None:
        ending["error"] = f"{type(error).__name__}: {error}"
    record.close(
        **ending,
        created=len(outcome.pending),
        failed=len(outcome.failed),
        existing=len(outcome.existing),
        unconfirmed=len(outcome.unconfirmed),
    )
    if interrupted or error is not None:
        show(app, _results(app, outcome))
        _notes(app, outcome, record)
        app.note(_summary(app, outcome, started))
        if interrupted:
            _report_interrupted(app, outcome, len(to_send), record.path)
            return ExitCode.INTERRUPTED
        app.warn(
            f"stopped after {_created(outcome)} WorkSpaces were created; rerun the same command "
            f"to finish (run record: {record.path})"
        )
        assert error is not None
        raise error
    _notes(app, outcome, record)
    if wait:
        code = wait_after_create(
            app,
            outcome.pending,
            outcome.existing,
            outcome,
            requests,
            timeout=timeout,
            poll_interval=poll_interval,
            started=started,
        )
        app.note(_summary(app, outcome, started))  # the summary is the last line, after the wait's
        return ExitCode.PARTIAL if code == ExitCode.OK and outcome.unconfirmed else code
    show(app, _results(app, outcome))
    app.note(_summary(app, outcome, started))
    return ExitCode.PARTIAL if outcome.failed or outcome.unconfirmed else ExitCode.OK


def _settle(
    service: WorkspacesService, outcome: CreateOutcome, record: RunRecord, *, interrupted: bool, stopped: bool
) -> bool:
    """Before anything is reported: what exists for every request that got no answer. True if interrupted.

    After a normal end the calls already did it (`create_workspaces` reconciles). After
    Ctrl-C or an error during the calls, look up now, within SETTLE_SECONDS; a second
    Ctrl-C ends the lookup (what is left is unconfirmed). Ctrl-C during the lookup that
    follows the last call stops it the same way.
    """
    if not outcome.unsettled:
        return interrupted
    deadline = time.monotonic() + SETTLE_SECONDS if (interrupted or stopped) and not outcome.sent_all else None
    try:
        service.reconcile(outcome, record, deadline=deadline)
    except KeyboardInterrupt:
        outcome.give_up()
        return True
    return interrupted


def _created(outcome: CreateOutcome) -> str:
    """How many this run created; "at least" while some requests could not be looked up."""
    return f"{'at least ' if outcome.unconfirmed else ''}{len(outcome.pending):,}"


def _results(app: AppContext, outcome: CreateOutcome) -> Any:
    from wsctl.render.create import results_outcome

    return results_outcome(
        outcome.pending, outcome.failed, outcome.existing, sandbox=app.sandbox, unconfirmed=outcome.unconfirmed
    )


def _summary(app: AppContext, outcome: CreateOutcome, started: float) -> str:
    from wsctl.render.create import summary_line

    return summary_line(
        len(outcome.pending),
        len(outcome.existing),
        len(outcome.failed),
        app.service.calls.summary(),
        time.monotonic() - started,
        unconfirmed=len(outcome.unconfirmed),
        at_least=bool(outcome.unconfirmed),
    )


def _notes(app: AppContext, outcome: CreateOutcome, record: RunRecord) -> None:
    if outcome.recovered:
        app.note(
            f"{count(len(outcome.recovered), 'WorkSpace')} whose responses were lost "
            "were found and are reported as pending."
        )
    if outcome.concurrent:
        app.note(
            f"{count(len(outcome.concurrent), 'WorkSpace')} in this batch were created meanwhile by another run "
            "and are reported as existing."
        )
    if outcome.unconfirmed:
        app.warn(
            f"{count(len(outcome.unconfirmed), 'request')} got no answer and could not be looked up: "
            "their WorkSpaces may or may not exist (listed as Unconfirmed). Run the same command again: "
            "it looks them up first and creates only what is missing."
        )
    problem = record.warning()
    if problem:
        app.warn(problem)


def _print_summary(app: AppContext, to_send: list[dict[str, Any]], existing: list[dict[str, Any]], where: str) -> None:
    from wsctl.ops.changes import mode_words, named_users

    directories = sorted({r["DirectoryId"] for r in to_send})
    bundles = sorted({r["BundleId"] for r in to_send})
    modes = sorted({(r.get("WorkspaceProperties") or {}).get("RunningMode") or "bundle default" for r in to_send})
    app.note(
        f"About to create {len(to_send):,} WorkSpace{'s' if len(to_send) != 1 else ''} "
        f"in {', '.join(directories)} from {', '.join(bundles)}, "
        f"running mode {', '.join(mode_words(m) for m in modes)}, {where} for {named_users(to_send)}; "
        f"{len(existing):,} already exist and will not be sent."
    )


def _report_interrupted(app: AppContext, outcome: CreateOutcome, planned: int, path: object) -> None:
    app.warn(
        f"interrupted: {_created(outcome)} of {planned:,} WorkSpaces were created before the stop "
        f"(all of them are in the run record {path}). Run the same command again to finish; "
        "users who already have a WorkSpace are not sent twice."
    )
