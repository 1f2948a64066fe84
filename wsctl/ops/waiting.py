"""--wait for every command: build the items, run the engine with a display, say how it ended.

Each command prints its own data (stdout); this module owns the stderr side of waiting
and the exit codes: 0 all succeeded, 3 some failed and none pending, 4 timed out with
some still pending (listed), 130 interrupted (the counts and the resume command shown).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from wsctl.context import AppContext
from wsctl.errors import ExitCode
from wsctl.ops.waiter import Backoff, Fetch, Waiter
from wsctl.spec.durations import timeout_for
from wsctl.spec.waits import Item, SettleSpec, WaitResult, WaitSpec, exit_status
from wsctl.text import count

if TYPE_CHECKING:
    from wsctl.render.outcome import Outcome

RESUME_IDS_SHOWN = 10


def follow(
    app: AppContext,
    items: Sequence[Item],
    fetch: Fetch,
    spec: WaitSpec,
    *,
    noun: str,
    detail: str = "",
    timeout: float,
    poll_interval: float | None,
    seed: Mapping[str, dict[str, Any]] | None = None,
) -> WaitResult:
    """Poll until settled, showing it on stderr; Ctrl-C ends the wait at once (`interrupted` set)."""
    from wsctl.render.live import make_display

    backoff = Backoff(first=poll_interval) if poll_interval else Backoff()
    what = count(len(items), noun) + (f" {detail}" if detail else "")
    display = make_display(app.err, what, len(items), sandbox=app.sandbox)
    waiter = Waiter(
        items, fetch, spec, timeout=timeout, backoff=backoff, on_change=display.on_change, on_round=display.on_round
    )
    with _polls_cancelled_on_interrupt(app), display:
        if seed:
            waiter.seed(seed)
        display.on_round(waiter.result)  # the states already known (PENDING, as create answered), not "starting"
        result = waiter.run()
    if result.interrupted:
        app.note("Stopping… (only the wait: what was sent carries on)")
    return result


@contextmanager
def _polls_cancelled_on_interrupt(app: AppContext) -> Iterator[None]:
    """Ctrl-C during a wait stops it at once, even in the middle of a poll.

    A poll of a large fleet is several describes queued on the client's rate limit; Python's
    own Ctrl-C would let the queued ones wait for their turn first (seconds, with the live view
    still ticking). This handler tells them to give up before the interrupt is raised. Only the
    main thread can set a signal handler; elsewhere the default behaviour stays.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    bucket = app.rate_limiter

    def on_interrupt(signum: int, frame: Any) -> None:
        bucket.cancelled.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
        bucket.cancelled.clear()


def finish(
    app: AppContext,
    result: WaitResult,
    *,
    noun: str = "WorkSpace",
    resumable: bool = True,
    started: float | None = None,
    resume: str | None = None,
) -> int:
    """Report how the wait ended on stderr, the summary line last, and return the exit code.

    `started` (time.monotonic() when the run began) makes the summary give the whole run's
    time, not only the wait's. `resume` is the command that picks the wait up, for callers
    whose items `describe --wait` does not follow (images).
    """
    from wsctl.render.final import failure_lines
    from wsctl.render.live import summary_line

    status = exit_status(result)
    for line in failure_lines(result.failed):  # grouped by kind
        app.warn(line)
    if status in ("timeout", "interrupted"):
        pending = [i.id for i in result.pending]
        if status == "timeout":  # after Ctrl-C the counts and the resume command say enough
            app.warn(
                f"timed out with {count(len(pending), noun)} still pending: {', '.join(pending[:RESUME_IDS_SHOWN])}"
                + (" ..." if len(pending) > RESUME_IDS_SHOWN else "")
            )
        if resume is None and resumable and pending:
            resume = resume_command(app, pending)
        if resume is not None and pending:
            app.note(f"To keep waiting: {resume}")
    total = time.monotonic() - started if started is not None else None
    app.note(summary_line(result, status, total=total))
    if status in ("timeout", "interrupted"):
        return ExitCode.INTERRUPTED if status == "interrupted" else ExitCode.TIMEOUT
    return ExitCode.PARTIAL if status == "failed" else ExitCode.OK


def show_and_finish(app: AppContext, outcome: Any, result: WaitResult, *, started: float | None = None) -> int:
    """The final tables, how the wait ended, then the outcome's summary: the summary is the last line."""
    from wsctl.options import OutputFormat
    from wsctl.render.outcome import show

    notes, outcome.table_notes = outcome.table_notes, []
    show(app, shown_after_wait(outcome, result))
    code = finish(app, result, started=started)
    if app.output in (OutputFormat.table, OutputFormat.wide):  # as show() prints them: with tables only
        for line in notes:
            app.note(line)
    return code


def shown_after_wait(outcome: Outcome, result: WaitResult) -> Outcome:
    """After Ctrl-C a person wants the counts, not a table row per item still pending.

    Only the tables go: -o json, yaml and ids still print every item, for scripts.
    """
    if result.interrupted:
        outcome.tables = []
        outcome.empty_note = None
    return outcome


def resume_command(app: AppContext, pending: Sequence[str]) -> str:
    """The describe --wait that picks the wait up, against the same account and endpoint."""
    prefix = app.command_prefix()
    if len(pending) <= RESUME_IDS_SHOWN:
        return f"{prefix} describe " + " ".join(f"--id {i}" for i in pending) + " --wait"
    from wsctl.ops.runrecord import runs_dir, write_private

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        path = write_private(runs_dir() / f"{stamp}-pending.ids", "".join(f"{i}\n" for i in pending))
    except OSError as exc:  # a full disk or an unwritable state directory: give the IDs inline
        app.warn(f"could not save the pending IDs in {runs_dir()} ({exc.strerror or exc})")
        return f"{prefix} describe " + " ".join(f"--id {i}" for i in pending) + " --wait"
    return f"{prefix} describe --ids-from {path} --wait"


def workspace_items(workspaces: Sequence[dict[str, Any]]) -> list[Item]:
    """Items starting from the state we were told (a new WorkSpace is not visible, yet PENDING)."""
    return [Item(w["WorkspaceId"], str(w.get("UserName", "")), w.get("State")) for w in workspaces]


def wait_for_workspaces(
    app: AppContext,
    workspaces: Sequence[dict[str, Any]],
    *,
    timeout: float | None,
    poll_interval: float | None,
    requested_ids: Sequence[str] = (),
    columns: Sequence[str] | None = None,
) -> int:
    """`describe --wait`: until every selected WorkSpace settles; prints the final descriptions.

    An ID asked for by --id that the service does not return yet is waited for too: right
    after a create it may be invisible for a moment (it fails once the grace period is over).
    """
    from wsctl.render.describe import workspaces_outcome

    found = {w["WorkspaceId"] for w in workspaces}
    items = workspace_items(workspaces) + [Item(i) for i in requested_ids if i not in found]
    from wsctl.spec.states import LEAVING

    # IDs asked for by name (a create's resume file, say) keep TERMINATED a failure: one of them
    # may be a create that failed. Found by listing, a WorkSpace already on its way out is not.
    leaving = frozenset(() if requested_ids else (w["WorkspaceId"] for w in workspaces if w.get("State") in LEAVING))
    result = follow(
        app,
        items,
        app.service.describe_workspaces_by_id,
        SettleSpec(leaving=leaving),
        noun="WorkSpace",
        timeout=timeout_for("describe", timeout),
        poll_interval=poll_interval,
        seed={w["WorkspaceId"]: w for w in workspaces},
    )
    final = workspaces_outcome(final_descriptions(result, workspaces), sandbox=app.sandbox, columns=columns)
    return show_and_finish(app, final, result)


def final_descriptions(result: WaitResult, fallback: Sequence[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    known = {w["WorkspaceId"]: w for w in fallback}
    out = []
    for item in result.items:
        description = item.description or known.get(item.id)
        if description is not None:
            out.append(description)
    return out


def wait_after_create(
    app: AppContext,
    pending: list[dict[str, Any]],
    existing: list[dict[str, Any]],
    outcome: Any,
    requests: list[dict[str, Any]],
    *,
    timeout: float | None,
    poll_interval: float | None,
    started: float | None = None,
) -> int:
    """`create --wait`: the new WorkSpaces (and existing unsettled ones) until AVAILABLE or failed."""
    from wsctl.render.create import failed_table, results_outcome
    from wsctl.render.final import final_table
    from wsctl.render.outcome import show

    encrypted = any(r.get("RootVolumeEncryptionEnabled") or r.get("UserVolumeEncryptionEnabled") for r in requests)
    items = workspace_items([*pending, *existing])
    failed_requests = list(getattr(outcome, "failed", []) or [])
    result = follow(
        app,
        items,
        app.service.describe_workspaces_by_id,
        SettleSpec(),
        noun="new WorkSpace" if pending else "existing WorkSpace",
        timeout=timeout_for("create-encrypted" if encrypted else "create", timeout),
        poll_interval=poll_interval,
        seed={w["WorkspaceId"]: w for w in existing},
    )
    final = final_descriptions(result, existing)
    report = results_outcome(pending, failed_requests, existing, sandbox=app.sandbox, final=final)
    # A person reads the requests that failed, then where every new WorkSpace ended up.
    report.tables = [lambda: failed_table(failed_requests, sandbox=app.sandbox)] if failed_requests else []
    if not result.interrupted:  # after Ctrl-C, a row per WorkSpace still pending would bury the counts
        report.tables.append(lambda: final_table(result, title="Final states", sandbox=app.sandbox))
    show(app, report)
    code = finish(app, result, started=started)
    if code == ExitCode.OK and failed_requests:
        return ExitCode.PARTIAL
    return code
