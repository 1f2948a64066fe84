"""`wsctl set-mode`: change the running mode (and auto-stop timeout) of many WorkSpaces at once."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from wsctl.cli.completion import complete_running_modes
from wsctl.cli.options import (
    ChangeWaitOpt,
    DebugOpt,
    DryRunOpt,
    NoInputOpt,
    OutputOpt,
    PollIntervalOpt,
    TargetBundleOpt,
    TargetDirectoryOpt,
    TargetIdsArg,
    YesOpt,
    app_context,
    file_option,
    timeout_option,
)
from wsctl.cli.usage import (
    ConfigOpt,
    DaysOpt,
    MinSavingOpt,
    MonthEndOnlyOpt,
    SinceOpt,
    ThresholdOpt,
    UntilOpt,
    UnusedDaysOpt,
)


def set_mode(
    ctx: typer.Context,
    workspace_ids: TargetIdsArg = None,
    running_mode: Annotated[
        str | None,
        typer.Option(
            "--running-mode",
            metavar="MODE",
            help="AUTO_STOP, ALWAYS_ON or MANUAL (WorkSpaces Core only).",
            autocompletion=complete_running_modes,
        ),
    ] = None,
    auto_stop_timeout: Annotated[
        int | None,
        typer.Option("--auto-stop-timeout", metavar="MINUTES", help="With AUTO_STOP: minutes, a multiple of 60."),
    ] = None,
    directory_id: TargetDirectoryOpt = None,
    bundle_id: TargetBundleOpt = None,
    file: Annotated[
        str | None, file_option("YAML or CSV with workspace_id, running_mode, auto_stop_timeout per WorkSpace.")
    ] = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    wait: ChangeWaitOpt = False,
    timeout: Annotated[float | None, timeout_option(("set-mode", ""))] = None,
    poll_interval: PollIntervalOpt = None,
    by_usage: Annotated[
        bool,
        typer.Option(
            "--by-usage",
            metavar="",
            help="Apply the ALWAYS_ON/AUTO_STOP recommendations of `wsctl usage` with the same options.",
        ),
    ] = False,
    days: DaysOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    threshold: ThresholdOpt = None,
    config: ConfigOpt = None,
    unused_days: UnusedDaysOpt = None,
    min_saving: MinSavingOpt = None,
    month_end_only: MonthEndOnlyOpt = False,
    output: OutputOpt = None,
    no_input: NoInputOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Set the running mode of WorkSpaces.

    Targets: IDs, - for IDs on stdin, a directory, a bundle or a file. WorkSpaces already in
    the requested mode are reported as unchanged and not sent. An auto-stop timeout applies
    only to AUTO_STOP and comes in 60-minute steps. MANUAL needs an Amazon WorkSpaces Core
    account that AWS has allow-listed.

    Example:

        \b
        wsctl --sandbox describe --state AVAILABLE -o ids | wsctl --sandbox set-mode - --running-mode ALWAYS_ON --yes
        wsctl --sandbox set-mode --by-usage --days 30 --dry-run
    """
    app = app_context(ctx, output, no_input, debug)
    usage_flags: dict[str, object] = {"--days": days, "--since": since, "--until": until, "--threshold": threshold}
    usage_flags |= {"--config": config}
    usage_flags |= {"--unused-days": unused_days, "--min-saving": min_saving, "--month-end-only": month_end_only}
    given = [k for k, v in usage_flags.items() if v is not None and v is not False and v != []]
    if by_usage or given:
        _check_by_usage(by_usage, running_mode, auto_stop_timeout, given)
        from wsctl.ops.usage import settings_from_flags

        settings = settings_from_flags(
            days=days,
            since=since,
            until=until,
            thresholds=threshold,
            config=config,
            unused_days=unused_days,
            min_saving=min_saving,
            month_end_only=month_end_only,
            stdin=app.stdin,
        )
        raise typer.Exit(
            _apply_by_usage(
                app,
                settings,
                list(workspace_ids or []),
                file,
                directory_id,
                bundle_id,
                yes,
                dry_run,
                wait,
                timeout,
                poll_interval,
            )
        )
    from wsctl.ops.changes import no_targets_error, refuse_missing, resolve_targets
    from wsctl.ops.set_mode import FLAGS, build_plan, check_flag_values

    ids = list(workspace_ids or [])
    if not ids and not file and not directory_id and not bundle_id:
        if not app.interactive:
            missing = ["targets (IDs, -, --directory-id, --bundle-id or -f)"]
            if running_mode is None:
                missing.append("--running-mode")
            raise no_targets_error() if running_mode else _missing(missing)
        from wsctl.cli.interactive_create import pick_workspaces

        ids = pick_workspaces(app)
    if running_mode is None and auto_stop_timeout is None and not file:
        if not app.interactive:
            raise _missing(["--running-mode"])
        from wsctl.cli.interactive_create import ask_auto_stop_timeout, pick_running_mode

        running_mode = pick_running_mode()
        if running_mode == "AUTO_STOP":
            auto_stop_timeout = ask_auto_stop_timeout()
    check_flag_values(running_mode, auto_stop_timeout)
    targets, workspaces, unknown = resolve_targets(
        app, ids, file, directory_id, bundle_id, allowed=set(FLAGS), int_keys={"auto_stop_timeout"}
    )
    refuse_missing(unknown)
    plan = build_plan(targets, workspaces, running_mode, auto_stop_timeout)
    if plan.problems:
        from wsctl.errors import InvalidInput

        raise InvalidInput(plan.problems)
    raise typer.Exit(_apply(app, plan, yes, dry_run, wait, timeout, poll_interval))


def _apply(
    app: Any, plan: Any, yes: bool, dry_run: bool, wait: bool, timeout: float | None, poll_interval: float | None
) -> int:
    """The plan through set-mode's confirmation, run record and wait (by flags or --by-usage alike)."""
    from wsctl.cli.prompts import confirmer
    from wsctl.ops.changes import apply_plan
    from wsctl.render.tables import running_mode_text

    return apply_plan(
        app,
        plan,
        command="set-mode",
        describe=running_mode_text,
        confirm=confirmer(app, yes=yes),
        dry_run=dry_run,
        wait=wait,
        timeout=timeout,
        poll_interval=poll_interval,
        timeout_kind="set-mode",
    )


def _check_by_usage(by_usage: bool, running_mode: str | None, timeout: int | None, usage_flags: list[str]) -> None:
    from wsctl.errors import UsageError

    if not by_usage:
        raise UsageError(f"{', '.join(usage_flags)} only with --by-usage")
    given = [f for f, v in (("--running-mode", running_mode), ("--auto-stop-timeout", timeout)) if v is not None]
    if given:
        raise UsageError(f"--by-usage chooses the running mode itself: drop {', '.join(given)}")


def _apply_by_usage(
    app: Any,
    settings: Any,
    ids: list[str],
    file: str | None,
    directory_id: str | None,
    bundle_id: str | None,
    yes: bool,
    dry_run: bool,
    wait: bool,
    timeout: float | None,
    poll_interval: float | None,
) -> int:
    """With no targets, every WorkSpace in the Region, as `wsctl usage` reads them."""
    from wsctl.ops.set_mode import build_usage_plan
    from wsctl.ops.usage import usage_report
    from wsctl.render.usage import plan_reasons

    report = usage_report(app, settings, ids, file, directory_id, bundle_id)
    plan = build_usage_plan(report)
    for line in plan_reasons(report):
        app.note(line)
    return _apply(app, plan, yes, dry_run, wait, timeout, poll_interval)


def _missing(flags: list[str]) -> Exception:
    from wsctl.errors import UsageError

    return UsageError(f"missing {', '.join(flags)}", hint="pass them, or run on a terminal to be asked")
