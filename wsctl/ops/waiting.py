"""--wait for every command: build the items, run the engine with a display, say how it ended.

Each command prints its own data (stdout); this module owns the stderr side of waiting
and the exit codes: 0 all succeeded, 3 some failed and none pending, 4 timed out with
some still pending (listed), 130 interrupted (pending items and the resume command shown).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from wsctl.context import AppContext
from wsctl.errors import ExitCode
from wsctl.ops.waiter import Backoff, Fetch, Waiter
from wsctl.spec.durations import timeout_for
from wsctl.spec.waits import Item, SettleSpec, WaitResult, WaitSpec, exit_status
from wsctl.text import count

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
    from wsctl.render.live import make_display

    backoff = Backoff(first=poll_interval) if poll_interval else Backoff()
    what = count(len(items), noun) + (f" {detail}" if detail else "")
    display = make_display(app.err, what, len(items), sandbox=app.sandbox)
    waiter = Waiter(
        items, fetch, spec, timeout=timeout, backoff=backoff, on_change=display.on_change, on_round=display.on_round
    )
    with display:
        if seed:
            waiter.seed(seed)
        return waiter.run()


def finish(app: AppContext, result: WaitResult, *, noun: str = "WorkSpace", resumable: bool = True) -> int:
    """Report how the wait ended on stderr (failures grouped by kind, how it ended last); the exit code."""
    from wsctl.render.final import failure_lines

    status = exit_status(result)
    done = len(result.succeeded)
    for line in failure_lines(result.failed):
        app.warn(line)
    code: int = ExitCode.PARTIAL if status == "failed" else ExitCode.OK
    if status in ("timeout", "interrupted"):
        pending = [i.id for i in result.pending]
        why = "interrupted" if status == "interrupted" else "timed out"
        app.warn(
            f"{why} with {count(len(pending), noun)} still pending: {', '.join(pending[:RESUME_IDS_SHOWN])}"
            + (" ..." if len(pending) > RESUME_IDS_SHOWN else "")
        )
        if resumable and pending:
            app.note(f"To keep waiting: {resume_command(app, pending)}")
        code = ExitCode.INTERRUPTED if status == "interrupted" else ExitCode.TIMEOUT
    app.note(
        f"Waited {result.elapsed:.0f} s: {done} succeeded, {len(result.failed)} failed, "
        f"{len(result.pending)} still pending."
    )
    return code


def show_and_finish(app: AppContext, outcome: Any, result: WaitResult) -> int:
    """The final tables, how the wait ended, then the outcome's summary: the summary is the last line."""
    from wsctl.options import OutputFormat
    from wsctl.render.outcome import show

    notes, outcome.table_notes = outcome.table_notes, []
    show(app, outcome)
    code = finish(app, result)
    if app.output in (OutputFormat.table, OutputFormat.wide):  # as show() prints them: with tables only
        for line in notes:
            app.note(line)
    return code


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
    result = follow(
        app,
        items,
        app.service.describe_workspaces_by_id,
        SettleSpec(),
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
    report.tables.append(lambda: final_table(result, title="Final states", sandbox=app.sandbox))
    show(app, report)
    code = finish(app, result)
    if code == ExitCode.OK and failed_requests:
        return ExitCode.PARTIAL
    return code
