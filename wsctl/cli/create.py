"""`wsctl create`: batches of any size from flags, YAML or CSV, validated first, safe to rerun."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from wsctl.cli.completion import (
    complete_bundle_ids,
    complete_compute_types,
    complete_directory_ids,
    complete_running_modes,
)
from wsctl.cli.options import (
    DebugOpt,
    DryRunOpt,
    NoInputOpt,
    OutputOpt,
    PollIntervalOpt,
    YesOpt,
    app_context,
    timeout_option,
    wait_option,
)
from wsctl.context import AppContext
from wsctl.errors import InvalidInput

if TYPE_CHECKING:
    from wsctl.cli.interactive_create import CreateAnswers
    from wsctl.errors import LocatedProblem
    from wsctl.input.batch import FlagValues


def create(
    ctx: typer.Context,
    files: Annotated[
        list[str] | None,
        typer.Option("-f", "--file", help="YAML, JSON or CSV batch file (repeatable; - reads stdin).", metavar="FILE"),
    ] = None,
    directory_id: Annotated[
        str | None,
        typer.Option("--directory-id", metavar="ID", help="Directory (d-...).", autocompletion=complete_directory_ids),
    ] = None,
    bundle_id: Annotated[
        str | None,
        typer.Option("--bundle-id", metavar="ID", help="Bundle (wsb-...).", autocompletion=complete_bundle_ids),
    ] = None,
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
        bool | None,
        typer.Option(
            "--encrypt-root/--no-encrypt-root",
            metavar="",
            show_default=False,
            help="Encrypt the root volume with --volume-encryption-key (default: not encrypted).",
        ),
    ] = None,
    encrypt_user: Annotated[
        bool | None,
        typer.Option(
            "--encrypt-user/--no-encrypt-user",
            metavar="",
            show_default=False,
            help="Encrypt the user volume with --volume-encryption-key (default: not encrypted).",
        ),
    ] = None,
    tags: Annotated[list[str] | None, typer.Option("--tag", metavar="KEY=VALUE", help="A tag (repeatable).")] = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    wait: Annotated[bool, wait_option("Follow each new WorkSpace until it is AVAILABLE or fails.")] = False,
    timeout: Annotated[float | None, timeout_option(("create", ""), ("create-encrypted", "with encryption"))] = None,
    poll_interval: PollIntervalOpt = None,
    output: OutputOpt = None,
    no_input: NoInputOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Create WorkSpaces from flags, YAML or CSV: any number.

    Requests go 25 a call. Every entry is checked before anything is sent; users who already have a WorkSpace
    in the directory are reported as existing and not sent again, so rerunning a batch
    finishes it. Each setting comes from the entry itself, else the command-line flag,
    else the file's `defaults:`.

    Example:

        \b
        wsctl --sandbox create -f examples/fleet.yaml --yes --wait

        \b
        wsctl --sandbox create --directory-id d-318474464b --bundle-id wsb-5hpqxx90z --user user0001 --user user0002
    """
    from wsctl.input.flags import parse_tags

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
    answers = None
    if not files and not (flags.directory_id and flags.bundle_id and flags.users):
        answers = _ask_or_refuse(app, flags, tag_problems, wait=wait, dry_run=dry_run)
        flags, wait = answers.flags, answers.wait
    from wsctl.cli.prompts import confirmer
    from wsctl.ops.create import run_create

    if answers is not None and answers.nothing_to_create and not wait:
        # Said already, right after the user names; the existing WorkSpaces are the result.
        from wsctl.render.create import results_outcome
        from wsctl.render.outcome import show

        show(app, results_outcome([], [], answers.existing, sandbox=app.sandbox))
        _show_equivalent(app, answers, dry_run=dry_run, timeout=timeout, poll_interval=poll_interval)
        raise typer.Exit(0)
    code = run_create(
        app,
        files,
        flags,
        dry_run=dry_run,
        confirm=confirmer(app, yes=yes, asked=flags.asked),
        wait=wait,
        timeout=timeout,
        poll_interval=poll_interval,
        flag_problems=tag_problems,
    )
    if answers is not None:
        _show_equivalent(app, answers, dry_run=dry_run, timeout=timeout, poll_interval=poll_interval)
    raise typer.Exit(code)


def _show_equivalent(
    app: AppContext, answers: CreateAnswers, *, dry_run: bool, timeout: float | None, poll_interval: float | None
) -> None:
    from wsctl.cli.interactive_create import equivalent_command

    command = equivalent_command(
        app, answers.flags, wait=answers.wait, dry_run=dry_run, timeout=timeout, poll_interval=poll_interval
    )
    app.note("The same without questions (a script without a terminal adds --yes):")
    app.note(f"  {command}")


def _ask_or_refuse(
    app: AppContext, flags: FlagValues, problems: list[LocatedProblem], *, wait: bool, dry_run: bool
) -> CreateAnswers:
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
    from wsctl.cli.interactive_create import ask_create_flags

    return ask_create_flags(app, flags, wait=wait, dry_run=dry_run)
