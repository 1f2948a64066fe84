"""`wsctl modify`: compute type or volume sizes across many WorkSpaces, with the documented rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

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
)

if TYPE_CHECKING:
    from wsctl.input.targets import Target
    from wsctl.ops.changes import Plan, PlannedChange

FLAGS = {
    "compute_type": "--compute-type",
    "root_volume_size": "--root-volume-size",
    "user_volume_size": "--user-volume-size",
}
MEMBER_KEYS = {
    "ComputeTypeName": "compute_type",
    "RootVolumeSizeGib": "root_volume_size",
    "UserVolumeSizeGib": "user_volume_size",
}
KEY_MEMBERS = {v: k for k, v in MEMBER_KEYS.items()}


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
        str | None,
        typer.Option(
            "-f",
            "--file",
            metavar="FILE",
            help="YAML or CSV: workspace_id and compute_type / root_volume_size / user_volume_size.",
        ),
    ] = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    wait: ChangeWaitOpt = False,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0, metavar="SECONDS", help="With --wait [default: 3600 compute, 7200 volumes]."),
    ] = None,
    poll_interval: PollIntervalOpt = None,
    output: OutputOpt = None,
    no_input: NoInputOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Change the compute type or grow the volumes of WorkSpaces, checked against the documented rules.

    Compute type and volume size never change in the same call; volumes only grow; root/user
    GiB must be 80/10, 80/50, 80/100, 175-2000/100-2000 (or 100/100 for Graphics types);
    GRAPHICS and GRAPHICSPRO cannot change compute type, g4dn types change only between
    themselves. Growing both volumes takes two calls (user first when root leaves 80):
    wsctl runs them in order and waits between them.

    Example:

        \b
        wsctl modify ws-0123abcd9 --root-volume-size 175 --user-volume-size 100 --wait
    """
    app = app_context(ctx, output, no_input, debug)
    from wsctl.cli.prompts import confirmer
    from wsctl.errors import InvalidInput, UsageError
    from wsctl.ops.changes import apply_plan, gather_targets, no_targets_error

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
    targets, workspaces = gather_targets(
        app, ids, file, directory_id, bundle_id, allowed=set(FLAGS), int_keys={"root_volume_size", "user_volume_size"}
    )
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
    from wsctl.ops.waiting import DEFAULT_TIMEOUT

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
            wait_timeout=DEFAULT_TIMEOUT["modify-volume" if volumes else "modify-compute"],
            step_note=step_note,
        )
    )


def check_flag_values(compute_type: str | None, root_volume_size: int | None, user_volume_size: int | None) -> None:
    """The flags' own values (compute type, 1-2000 GiB), before any WorkSpace is looked up."""
    from wsctl.cli.options import flag_problems, raise_if_problems
    from wsctl.spec import model, rules

    given = zip(
        ("ComputeTypeName", "RootVolumeSizeGib", "UserVolumeSizeGib"),
        (compute_type, root_volume_size, user_volume_size),
        strict=True,
    )
    props = {k: v for k, v in given if v is not None}
    if not props:
        return
    sizes = [p for p in rules.volume_problems(props, ()) if p.kind != "rule" or "outside" in p.message]
    found = rules.merge(model.validator().validate_shape("WorkspaceProperties", props), sizes)
    raise_if_problems(flag_problems([p for p in found if not p.warning], {m: FLAGS[k] for m, k in MEMBER_KEYS.items()}))


def describe_props(props: dict[str, Any]) -> str:
    parts = []
    if "ComputeTypeName" in props:
        parts.append(str(props["ComputeTypeName"]))
    if "RootVolumeSizeGib" in props or "UserVolumeSizeGib" in props:
        parts.append(f"{props.get('RootVolumeSizeGib', '?')}/{props.get('UserVolumeSizeGib', '?')} GiB")
    return ", ".join(parts) or "-"


def step_note(change: PlannedChange, index: int) -> str:
    step = change.steps[index]
    return ", ".join(
        f"{'root' if k == 'RootVolumeSizeGib' else 'user'} volume to {v} GiB"
        if "Volume" in k
        else f"compute type to {v}"
        for k, v in step.items()
    )


def build_plan(targets: list[Target], workspaces: list[dict[str, Any]], flags: dict[str, Any]) -> Plan:
    from wsctl.errors import LocatedProblem
    from wsctl.ops.changes import Plan, PlannedChange, locate_problems
    from wsctl.spec import model, rules
    from wsctl.text import count

    plan = Plan()
    checker = model.validator()
    for target, ws in zip(targets, workspaces, strict=True):
        values = {**flags, **target.values}
        if not values:
            plan.problems.append(LocatedProblem(target.where, "", f"{target.workspace_id}: nothing to change"))
            continue
        props = {KEY_MEMBERS[k]: v for k, v in values.items()}
        current = ws.get("WorkspaceProperties") or {}
        if all(current.get(k) == v for k, v in props.items()):
            plan.unchanged.append(ws)
            continue
        found = rules.merge(checker.validate_shape("WorkspaceProperties", props), rules.modify_problems(ws, props))
        plan.problems += locate_problems(found, target, FLAGS, MEMBER_KEYS)
        if found:
            continue
        if "ComputeTypeName" in props:
            plan.changes.append(PlannedChange(ws, [props], props))
            continue
        steps = rules.plan_volume_steps(ws, props.get("RootVolumeSizeGib"), props.get("UserVolumeSizeGib"))
        if steps is None:
            want = {**current, **props}
            plan.problems.append(
                LocatedProblem(
                    target.sources.get("root_volume_size") or FLAGS["root_volume_size"]
                    if "RootVolumeSizeGib" in props
                    else target.sources.get("user_volume_size") or FLAGS["user_volume_size"],
                    "",
                    f"{target.workspace_id}: root {want.get('RootVolumeSizeGib')} GiB with user "
                    f"{want.get('UserVolumeSizeGib')} GiB is not an allowed combination; allowed root/user GiB: "
                    f"{rules.ALLOWED_PAIRS_TEXT}",
                )
            )
            continue
        plan.changes.append(PlannedChange(ws, steps, {k: v for step in steps for k, v in step.items()}))
    two_step = sum(1 for c in plan.changes if len(c.steps) > 1)
    if two_step:
        verb = "grows" if two_step == 1 else "grow"
        plan.warnings.append(
            f"{count(two_step, 'WorkSpace')} {verb} both volumes: that takes two calls, so wsctl changes one "
            "volume, waits for it to apply, then changes the other"
        )
    return plan
