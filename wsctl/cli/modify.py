"""`wsctl modify`: compute type or volume sizes across many WorkSpaces, with the documented rules."""

from __future__ import annotations

from typing import Annotated

import typer

from wsctl.cli.completion import complete_compute_types
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


def modify(
    ctx: typer.Context,
    workspace_ids: TargetIdsArg = None,
    compute_type: Annotated[
        str | None,
        typer.Option("--compute-type", metavar="TYPE", help="New compute type.", autocompletion=complete_compute_types),
    ] = None,
    root_volume_size: Annotated[
        int | None, typer.Option("--root-volume-size", metavar="GIB", help="New root volume size (grow only).")
    ] = None,
    user_volume_size: Annotated[
        int | None, typer.Option("--user-volume-size", metavar="GIB", help="New user volume size (grow only).")
    ] = None,
    directory_id: TargetDirectoryOpt = None,
    bundle_id: TargetBundleOpt = None,
    file: Annotated[
        str | None, file_option("YAML or CSV: workspace_id and compute_type / root_volume_size / user_volume_size.")
    ] = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    wait: ChangeWaitOpt = False,
    timeout: Annotated[
        float | None, timeout_option(("modify-compute", "compute"), ("modify-volume", "volumes"))
    ] = None,
    poll_interval: PollIntervalOpt = None,
    output: OutputOpt = None,
    no_input: NoInputOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Change the compute type or grow the volumes of WorkSpaces.

    Every change is checked against the documented rules first. Compute type and volume size
    never change in the same call; volumes only grow; root/user GiB must be 80/10, 80/50,
    80/100, 175-2000/100-2000 (or 100/100 for Graphics types); GRAPHICS and GRAPHICSPRO
    cannot change compute type, g4dn types change only between themselves. Growing both
    volumes takes two calls (user first when root leaves 80): wsctl runs them in order and
    waits between them.

    Example:

        \b
        wsctl --sandbox modify --directory-id d-9bc1c610f8 --root-volume-size 175 --user-volume-size 100 --yes --wait
    """
    app = app_context(ctx, output, no_input, debug)
    from wsctl.cli.prompts import confirmer
    from wsctl.errors import InvalidInput, UsageError
    from wsctl.ops.changes import apply_plan, no_targets_error, refuse_missing, resolve_targets
    from wsctl.ops.modify import FLAGS, build_plan, check_flag_values, describe_props, step_note

    ids = list(workspace_ids or [])
    if not ids and not file and not directory_id and not bundle_id:
        raise no_targets_error()
    if compute_type is None and root_volume_size is None and user_volume_size is None and not file:
        raise UsageError("missing --compute-type, --root-volume-size or --user-volume-size")
    if compute_type is not None and (root_volume_size is not None or user_volume_size is not None):
        raise UsageError(
            "--compute-type and a volume size cannot change in the same call; run two commands "
            "(wsctl modify ... --compute-type, then wsctl modify ... --root-volume-size)"
        )
    check_flag_values(compute_type, root_volume_size, user_volume_size)
    targets, workspaces, missing = resolve_targets(
        app, ids, file, directory_id, bundle_id, allowed=set(FLAGS), int_keys={"root_volume_size", "user_volume_size"}
    )
    refuse_missing(missing)
    flags = {
        k: v
        for k, v in (
            ("compute_type", compute_type),
            ("root_volume_size", root_volume_size),
            ("user_volume_size", user_volume_size),
        )
        if v is not None
    }
    plan = build_plan(targets, workspaces, flags)
    if plan.problems:
        raise InvalidInput(plan.problems)

    volumes = any("RootVolumeSizeGib" in c.target or "UserVolumeSizeGib" in c.target for c in plan.changes)
    raise typer.Exit(
        apply_plan(
            app,
            plan,
            command="modify",
            describe=describe_props,
            confirm=confirmer(app, yes=yes),
            dry_run=dry_run,
            wait=wait,
            timeout=timeout,
            poll_interval=poll_interval,
            timeout_kind="modify-volume" if volumes else "modify-compute",
            step_note=step_note,
        )
    )
