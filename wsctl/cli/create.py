"""`wsctl create`: batches of any size from flags, YAML or CSV, validated first, safe to rerun."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wsctl.cli.completion import complete_compute_types, complete_running_modes
from wsctl.cli.options import (
    DebugOpt,
    DryRunOpt,
    NoInputOpt,
    OutputOpt,
    PollIntervalOpt,
    YesOpt,
    app_context,
    parse_tags,
)
from wsctl.context import AppContext
from wsctl.errors import ExitCode, InvalidInput, UsageError
from wsctl.text import count

if TYPE_CHECKING:
    from wsctl.aws.creates import CreateOutcome
    from wsctl.errors import LocatedProblem
    from wsctl.input.batch import FlagValues


def create(
    ctx: typer.Context,
    files: Annotated[
        list[str] | None,
        typer.Option("-f", "--file", help="YAML, JSON or CSV batch file (repeatable; - reads stdin).", metavar="FILE"),
    ] = None,
    directory_id: Annotated[str | None, typer.Option("--directory-id", metavar="ID", help="Directory (d-...).")] = None,
    bundle_id: Annotated[str | None, typer.Option("--bundle-id", metavar="ID", help="Bundle (wsb-...).")] = None,
    users: Annotated[list[str] | None, typer.Option("--user", metavar="NAME", help="A user name (repeatable).")] = None,
    running_mode: Annotated[
        str | None,
        typer.Option(
            "--running-mode",
            metavar="MODE",
            help="AUTO_STOP, ALWAYS_ON or MANUAL (MANUAL: WorkSpaces Core only).",
            autocompletion=complete_running_modes,
        ),
    ] = None,
    auto_stop_timeout: Annotated[
        int | None, typer.Option("--auto-stop-timeout", metavar="MINUTES", help="AUTO_STOP only; a multiple of 60.")
    ] = None,
    root_volume_size: Annotated[
        int | None,
        typer.Option(
            "--root-volume-size", metavar="GIB", help="Root volume size in GiB (80, 100 for Graphics, 175-2000)."
        ),
    ] = None,
    user_volume_size: Annotated[
        int | None,
        typer.Option("--user-volume-size", metavar="GIB", help="User volume size in GiB (10, 50, 100-2000)."),
    ] = None,
    compute_type: Annotated[
        str | None,
        typer.Option(
            "--compute-type", metavar="TYPE", help="Compute type, e.g. STANDARD.", autocompletion=complete_compute_types
        ),
    ] = None,
    volume_encryption_key: Annotated[
        str | None,
        typer.Option("--volume-encryption-key", metavar="KEY", help="KMS key ARN or alias for encrypted volumes."),
    ] = None,
    encrypt_root: Annotated[
        bool | None, typer.Option("--encrypt-root/--no-encrypt-root", metavar="", show_default=False)
    ] = None,
    encrypt_user: Annotated[
        bool | None, typer.Option("--encrypt-user/--no-encrypt-user", metavar="", show_default=False)
    ] = None,
    tags: Annotated[list[str] | None, typer.Option("--tag", metavar="KEY=VALUE", help="A tag (repeatable).")] = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    wait: Annotated[
        bool, typer.Option("--wait", metavar="", help="Follow each new WorkSpace until it is AVAILABLE or fails.")
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout", min=0, metavar="SECONDS", help="With --wait: seconds [default: 1200, 2400 with encryption]."
        ),
    ] = None,
    poll_interval: PollIntervalOpt = None,
    output: OutputOpt = None,
    no_input: NoInputOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Create WorkSpaces from flags, YAML or CSV files; any number, 25 per call.

    Every entry is checked before anything is sent; users who already have a WorkSpace
    in the directory are reported as existing and not sent again, so rerunning a batch
    finishes it. Each setting comes from the entry itself, else the command-line flag,
    else the file's `defaults:`.

    Example:

        \b
        wsctl create -f examples/fleet.yaml --wait

        \b
        wsctl create --directory-id d-1234567890 --bundle-id wsb-0123abcd9 --user alice --user bob
    """
    app = app_context(ctx, output, no_input, debug)
    from wsctl.input.batch import FlagValues

    tag_list, tag_problems = parse_tags(tags)
    flags = FlagValues(
        directory_id=directory_id,
        bundle_id=bundle_id,
        users=list(users or []),
        running_mode=running_mode,
        auto_stop_timeout=auto_stop_timeout,
        root_volume_size=root_volume_size,
        user_volume_size=user_volume_size,
        compute_type=compute_type,
        volume_encryption_key=volume_encryption_key,
        encrypt_root=encrypt_root,
        encrypt_user=encrypt_user,
        tags=tag_list,
    )
    files = list(files or [])
    if not files and not (flags.directory_id and flags.bundle_id and flags.users):
        flags = _ask_or_refuse(app, flags, tag_problems)
    code = run_create(
        app,
        files,
        flags,
        dry_run=dry_run,
        yes=yes,
        wait=wait,
        timeout=timeout,
        poll_interval=poll_interval,
        flag_problems=tag_problems,
    )
    raise typer.Exit(code)


def _ask_or_refuse(app: AppContext, flags: FlagValues, problems: list[LocatedProblem]) -> FlagValues:
    missing = [
        flag
        for flag, value in (
            ("--directory-id", flags.directory_id),
            ("--bundle-id", flags.bundle_id),
            ("--user", flags.users),
        )
        if not value
    ]
    if not app.interactive:
        from wsctl.errors import LocatedProblem

        raise InvalidInput(
            [LocatedProblem("", "", f"missing {', '.join(missing)} (or -f FILE)"), *problems],
            hint="pass the flags, a batch file with -f, or run on a terminal to be asked",
        )
    if problems:  # fix what was typed before being asked for the rest
        raise InvalidInput(problems)
    from wsctl.cli.prompts import ask_create_flags

    completed: FlagValues = ask_create_flags(app, flags)
    return completed


def run_create(
    app: AppContext,
    files: list[str],
    flags: FlagValues,
    *,
    dry_run: bool,
    yes: bool,
    wait: bool,
    timeout: float | None,
    poll_interval: float | None,
    flag_problems: list[LocatedProblem] | None = None,
) -> int:
    from wsctl.aws.creates import CreateOutcome, find_existing, send_creates, user_key
    from wsctl.input.batch import load_batch
    from wsctl.render.create import plan_outcome, results_outcome, summary_line
    from wsctl.render.outcome import show

    started = time.monotonic()
    batch = load_batch(files, flags)
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
    found = find_existing(service, keyed)
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
            return _maybe_wait(app, wait, [], existing, timeout, poll_interval, requests)
        show(app, results_outcome([], [], existing, sandbox=app.sandbox))
        return ExitCode.OK
    from wsctl.cli.prompts import confirm_changes, confirm_plan

    _print_summary(app, to_send, existing)
    question = f"Create {count(len(to_send), 'WorkSpace')}?"
    if flags.asked and not yes:
        confirm_plan(app, question)
    else:
        confirm_changes(app, count=len(to_send), question=question, yes=yes)
    from wsctl.ops.runrecord import RunRecord

    record = RunRecord("create", sys.argv[1:])
    app.note(f"Run record: {record.path}")
    record.write("plan", Requests=to_send, Existing=[w["WorkspaceId"] for w in existing])
    outcome = CreateOutcome(existing=existing)
    try:
        send_creates(service, to_send, outcome, record)
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
        return _maybe_wait(app, wait, outcome.pending, existing, timeout, poll_interval, requests, outcome=outcome)
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


def _maybe_wait(
    app: AppContext,
    wait: bool,
    pending: list[dict[str, Any]],
    existing: list[dict[str, Any]],
    timeout: float | None,
    poll_interval: float | None,
    requests: list[dict[str, Any]],
    outcome: CreateOutcome | None = None,
) -> int:
    if not wait:
        return ExitCode.OK
    from wsctl.ops.waiting import wait_after_create

    return wait_after_create(app, pending, existing, outcome, requests, timeout=timeout, poll_interval=poll_interval)
