"""`wsctl start|stop|reboot|rebuild|restore|migrate|terminate` and `wsctl maintenance on|off`.

Every one takes its targets as set-mode does (IDs, `-` for stdin, --directory-id,
--bundle-id, -f FILE) and the same confirmation, --dry-run and --wait; one function serves
them all, and each command is that function with its own help.
"""

from __future__ import annotations

import functools
import inspect
from typing import Annotated, Any

import typer

from wsctl.cli.completion import complete_bundle_ids
from wsctl.cli.options import (
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
    wait_option,
)

FILE_HELP = "YAML or CSV with a workspace_id per WorkSpace (a `workspaces:` list, or a workspace_id column)."

# command -> (one-line summary, what else to know, an example that runs on the sandbox).
HELP: dict[str, tuple[str, str, str]] = {
    "start": (
        "Start STOPPED WorkSpaces, 25 per call.",
        "Only AUTO_STOP and MANUAL WorkSpaces in STOPPED start; the others are skipped, with the reason.",
        "wsctl --sandbox describe --state STOPPED -o ids | wsctl --sandbox start - --yes --wait",
    ),
    "stop": (
        "Stop WorkSpaces, 25 per call.",
        "Only AUTO_STOP and MANUAL WorkSpaces in AVAILABLE, IMPAIRED, UNHEALTHY or ERROR stop; the others are "
        "skipped, with the reason.",
        "wsctl --sandbox stop --directory-id d-318474464b --yes --wait",
    ),
    "reboot": (
        "Reboot WorkSpaces, 25 per call.",
        "AVAILABLE and UNHEALTHY WorkSpaces reboot; --force also reboots one stuck in REBOOTING.",
        "wsctl --sandbox describe --state UNHEALTHY -o ids | wsctl --sandbox reboot - --yes --wait",
    ),
    "rebuild": (
        "Rebuild WorkSpaces from their bundle, one per call.",
        "A new root volume from the bundle, the user volume from its latest snapshot.",
        "wsctl --sandbox describe --state ERROR -o ids | wsctl --sandbox rebuild - --yes --wait",
    ),
    "restore": (
        "Restore WorkSpaces to their last healthy snapshots.",
        "The root and user volumes come back from the last known healthy state, one WorkSpace per call.",
        "wsctl --sandbox describe --state ERROR -o ids | wsctl --sandbox restore - --yes --wait",
    ),
    "migrate": (
        "Migrate WorkSpaces to another bundle.",
        "Each becomes a new WorkSpace with the same user volume; the old one is terminated.",
        "wsctl --sandbox migrate --directory-id d-9bc1c610f8 --bundle-id wsb-5hpqxx90z --yes --wait",
    ),
    "maintenance on": (
        "Put WorkSpaces in ADMIN_MAINTENANCE.",
        "Users cannot log in; reboot, stop, start, rebuild and restore are refused until it is off.",
        "wsctl --sandbox maintenance on --directory-id d-9bc1c610f8 --yes",
    ),
    "maintenance off": (
        "Take WorkSpaces out of ADMIN_MAINTENANCE.",
        "They go back to AVAILABLE.",
        "wsctl --sandbox maintenance off --directory-id d-9bc1c610f8 --yes",
    ),
    "terminate": (
        "Terminate WorkSpaces for good (their data is destroyed).",
        "Always confirmed on a terminal, by typing the number of WorkSpaces; --yes without a terminal.",
        "wsctl --sandbox describe --state ERROR -o ids | wsctl --sandbox terminate - --yes",
    ),
}


def _lifecycle(
    ctx: typer.Context,
    workspace_ids: TargetIdsArg = None,
    directory_id: TargetDirectoryOpt = None,
    bundle_id: TargetBundleOpt = None,
    file: Annotated[str | None, file_option(FILE_HELP)] = None,
    force: Annotated[
        bool, typer.Option("--force", metavar="", help="Also reboot WorkSpaces stuck in REBOOTING (over 20 minutes).")
    ] = False,
    target_bundle: Annotated[
        str | None,
        typer.Option(
            "--bundle-id",
            metavar="ID",
            help="The bundle to migrate to (required).",
            autocompletion=complete_bundle_ids,
        ),
    ] = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    wait: Annotated[bool, wait_option("Follow each WorkSpace until the action is done or fails.")] = False,
    timeout: Annotated[float | None, typer.Option("--timeout")] = None,
    poll_interval: PollIntervalOpt = None,
    output: OutputOpt = None,
    no_input: NoInputOpt = False,
    debug: DebugOpt = False,
) -> None:
    app = app_context(ctx, output, no_input, debug)
    from wsctl.cli.prompts import confirmer, typed_confirmer
    from wsctl.errors import UsageError
    from wsctl.ops.lifecycle import Request, run_action
    from wsctl.spec.actions import ACTIONS

    action = ACTIONS[ctx.meta["wsctl_action"]]
    ids = list(workspace_ids or [])
    if action.command == "migrate":
        if target_bundle is None:
            raise UsageError("migrate needs --bundle-id: the bundle to migrate to")
        _check_bundle(target_bundle)
    if not ids and not file and not directory_id and not (bundle_id and action.command != "migrate"):
        sources = "WorkSpace IDs, - (IDs on stdin), --directory-id" + (
            " or -f FILE" if action.command == "migrate" else ", --bundle-id or -f FILE"
        )
        raise UsageError(f"missing targets: give {sources}", hint="wsctl describe lists the WorkSpaces")
    request = Request(
        action,
        ids,
        file=file,
        directory_id=directory_id,
        bundle_id=bundle_id if action.command != "migrate" else None,
        target_bundle=target_bundle,
        force=force,
    )
    if action.typed_confirmation:
        confirm = typed_confirmer(app, yes=yes)
    else:  # what destroys data is asked on a terminal even for one WorkSpace
        confirm = confirmer(app, yes=yes, asked=bool(action.destroys) and app.can_confirm)
    raise typer.Exit(
        run_action(
            app, request, confirm=confirm, dry_run=dry_run, wait=wait, timeout=timeout, poll_interval=poll_interval
        )
    )


def _check_bundle(bundle_id: str) -> None:
    from wsctl.errors import LocatedProblem
    from wsctl.input.flags import raise_if_problems
    from wsctl.spec import model

    problems = model.validator().validate_shape("BundleId", bundle_id)
    raise_if_problems([LocatedProblem("--bundle-id", "", p.message) for p in problems])


@functools.cache
def _annotations() -> dict[str, Any]:
    # Evaluated once for the nine commands: every --help and TAB press builds them all.
    return inspect.get_annotations(_lifecycle, eval_str=True)


def command_for(command: str) -> Any:
    """`_lifecycle` as the command `command`: its help, its --timeout default, its own flags."""
    summary, detail, example = HELP[command]

    def run(ctx: typer.Context, **kwargs: Any) -> None:
        ctx.meta["wsctl_action"] = command
        _lifecycle(ctx, **kwargs)

    signature = inspect.signature(_lifecycle)
    annotations = {**_annotations(), "timeout": Annotated[float | None, timeout_option((command, ""))]}
    keep = [
        p.replace(annotation=annotations[p.name])
        for p in signature.parameters.values()
        if not (p.name == "force" and command != "reboot")
        and not (p.name == "target_bundle" and command != "migrate")
        and not (p.name == "bundle_id" and command == "migrate")
    ]
    run.__signature__ = signature.replace(parameters=keep)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in keep} | {"return": None}
    run.__name__ = command.replace(" ", "_")
    run.__doc__ = f"{summary}\n\n    {detail}\n\n    Example:\n\n        \b\n        {example}\n    "
    return run


def register(app: typer.Typer) -> None:
    for command in ("start", "stop", "reboot", "rebuild", "restore", "migrate", "terminate"):
        app.command(command)(command_for(command))
    maintenance = typer.Typer(help="Admin maintenance (ADMIN_MAINTENANCE) on or off.", no_args_is_help=True)
    for state in ("on", "off"):
        maintenance.command(state)(command_for(f"maintenance {state}"))
    app.add_typer(maintenance, name="maintenance")
