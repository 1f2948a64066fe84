"""`wsctl plan` and `wsctl apply`: the fleet a file describes, compared with AWS and made so.

Both take exactly the files and flags `create` takes (their declarations are `create`'s
own, so the two can never drift apart), plus their own options.
"""

from __future__ import annotations

import functools
import inspect
from typing import Annotated, Any

import typer

from wsctl.cli.options import PollIntervalOpt, YesOpt, app_context, timeout_option, wait_option

# create's parameters that plan and apply share: the input, the settings, -o/--no-input/--debug.
_CREATE_ONLY = {"dry_run", "yes", "wait", "timeout", "poll_interval"}

AllowMigrateOpt = Annotated[
    bool,
    typer.Option(
        "--allow-migrate",
        metavar="",
        help="Migrate WorkSpaces whose bundle differs from the file's (recreates the root volume).",
    ),
]
PruneOpt = Annotated[
    bool,
    typer.Option(
        "--prune", metavar="", help="Terminate WorkSpaces of the file's directories whose users it does not name."
    ),
]
DetailedOpt = Annotated[
    bool,
    typer.Option(
        "--detailed-exitcode",
        metavar="",
        help="Exit 0 when nothing would change, 5 when something would (or cannot converge).",
    ),
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", metavar="", help="Only show the plan (the same as wsctl plan).")]

PLAN_DOC = """Show how the WorkSpaces differ from a fleet file.

    What apply would create, change, migrate and terminate. The file is what create
    takes (YAML, the AWS form, CSV, defaults:, any size); each entry is the WorkSpace
    one user should have in one directory. plan reads the WorkSpaces of those
    directories (25 a call) and the tags of the WorkSpaces whose entries give tags,
    and makes no other call. + create, ~ change, > migrate, - terminate (--prune),
    ? extra, ! cannot converge.

    Example:

        \b
        wsctl --sandbox plan -f examples/fleet.yaml --detailed-exitcode
    """

APPLY_DOC = """Make the WorkSpaces what a fleet file says.

    Plans as wsctl plan does, shows the plan and asks; then creates, changes running
    modes and compute types, grows volumes (one volume a call), sets tags, migrates
    (only with --allow-migrate) and terminates extras (only with --prune, confirmed by
    typing the count). There is no state file: a second apply of the same file
    changes nothing, and after Ctrl-C the same apply finishes the job.

    Example:

        \b
        wsctl --sandbox apply -f examples/fleet.yaml --wait
"""


def _settings(kwargs: dict[str, Any]) -> tuple[list[str], Any, list[Any]]:
    """(files, FlagValues, flag problems) from create's parameters."""
    from wsctl.input.batch import FlagValues
    from wsctl.input.flags import parse_tags

    tag_list, problems = parse_tags(kwargs.get("tags"))
    flags = FlagValues(
        directory_id=kwargs.get("directory_id"),
        bundle_id=kwargs.get("bundle_id"),
        users=list(kwargs.get("users") or []),
        running_mode=kwargs.get("running_mode"),
        auto_stop_timeout=kwargs.get("auto_stop_timeout"),
        root_volume_size=kwargs.get("root_volume_size"),
        user_volume_size=kwargs.get("user_volume_size"),
        compute_type=kwargs.get("compute_type"),
        volume_encryption_key=kwargs.get("volume_encryption_key"),
        encrypt_root=kwargs.get("encrypt_root"),
        encrypt_user=kwargs.get("encrypt_user"),
        tags=tag_list,
    )
    files = list(kwargs.get("files") or [])
    if not files and not (flags.directory_id and flags.bundle_id and flags.users):
        from wsctl.errors import UsageError

        raise UsageError("missing the fleet: give -f FILE (or --directory-id, --bundle-id and --user)")
    return files, flags, problems


def _plan(
    ctx: typer.Context,
    allow_migrate: AllowMigrateOpt = False,
    prune: PruneOpt = False,
    detailed_exitcode: DetailedOpt = False,
    **kwargs: Any,
) -> None:
    app = app_context(ctx, kwargs.pop("output", None), kwargs.pop("no_input", False), kwargs.pop("debug", False))
    files, flags, problems = _settings(kwargs)
    from wsctl.ops.plan import run_plan

    raise typer.Exit(
        run_plan(
            app,
            files,
            flags,
            allow_migrate=allow_migrate,
            prune=prune,
            detailed_exitcode=detailed_exitcode,
            flag_problems=problems,
        )
    )


def _apply(
    ctx: typer.Context,
    allow_migrate: AllowMigrateOpt = False,
    prune: PruneOpt = False,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    wait: Annotated[
        bool, wait_option("Follow everything sent until it settles, then plan again: converged, or what differs.")
    ] = False,
    timeout: Annotated[float | None, timeout_option(("modify-volume", ""))] = None,
    poll_interval: PollIntervalOpt = None,
    **kwargs: Any,
) -> None:
    app = app_context(ctx, kwargs.pop("output", None), kwargs.pop("no_input", False), kwargs.pop("debug", False))
    files, flags, problems = _settings(kwargs)
    from wsctl.cli.prompts import confirmer, typed_confirmer
    from wsctl.ops.apply import run_apply

    raise typer.Exit(
        run_apply(
            app,
            files,
            flags,
            allow_migrate=allow_migrate,
            prune=prune,
            confirm=confirmer(app, yes=yes),
            confirm_terminate=typed_confirmer(app, yes=yes),
            dry_run=dry_run,
            wait=wait,
            timeout=timeout,
            poll_interval=poll_interval,
            flag_problems=problems,
        )
    )


@functools.cache
def _create_parameters() -> list[inspect.Parameter]:
    from wsctl.cli.create import create

    annotations = inspect.get_annotations(create, eval_str=True)
    return [
        p.replace(annotation=annotations[p.name])
        for p in inspect.signature(create).parameters.values()
        if p.name not in _CREATE_ONLY and p.name != "ctx"
    ]


def _command(run: Any, name: str, doc: str) -> Any:
    """`run` with its own options followed by create's input and settings options."""
    own = inspect.get_annotations(run, eval_str=True)
    mine = [p.replace(annotation=own[p.name]) for p in inspect.signature(run).parameters.values() if p.name != "kwargs"]
    shared = _create_parameters()
    # create's -o, --no-input and --debug come last, after the command's own options.
    params = [mine[0], *shared[: len(shared) - 3], *mine[1:], *shared[len(shared) - 3 :]]

    def command(ctx: typer.Context, **kwargs: Any) -> None:
        run(ctx, **kwargs)

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}
    command.__name__ = name
    command.__doc__ = doc
    return command


def register(app: typer.Typer) -> None:
    app.command("plan")(_command(_plan, "plan", PLAN_DOC))
    app.command("apply")(_command(_apply, "apply", APPLY_DOC))
