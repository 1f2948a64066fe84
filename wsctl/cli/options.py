"""The options every command shares (Typer declarations, defined once), and the context each run gets."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from wsctl.cli.completion import complete_bundle_ids, complete_directory_ids
from wsctl.context import AppContext
from wsctl.options import OutputFormat

# Options whose help differs per command: one declaration each, the words from the command.


def wait_option(help: str) -> Any:
    return typer.Option("--wait", metavar="", help=help)


def timeout_option(*kinds: tuple[str, str]) -> Any:
    """--timeout, its defaults shown from `wsctl.spec.durations.DEFAULT_TIMEOUT`: (kind, label) pairs."""
    from wsctl.spec.durations import DEFAULT_TIMEOUT

    shown = ", ".join(f"{DEFAULT_TIMEOUT[kind]:.0f}" + (f" {label}" if label else "") for kind, label in kinds)
    return typer.Option(
        "--timeout", min=0, metavar="SECONDS", help=f"With --wait: give up after this many seconds [default: {shown}]."
    )


def file_option(help: str) -> Any:
    return typer.Option("-f", "--file", metavar="FILE", help=help)


OutputOpt = Annotated[
    OutputFormat | None,
    typer.Option(
        "-o",
        "--output",
        case_sensitive=False,
        show_default=False,
        help="Output format: table, wide (every column), json, yaml, or ids (one ID a line). [env: WSCTL_OUTPUT]",
    ),
]
NoInputOpt = Annotated[
    bool,
    typer.Option(
        "--no-input", metavar="", help="Never prompt; a missing value is a usage error. [env: WSCTL_NO_INPUT]"
    ),
]
DebugOpt = Annotated[
    bool,
    typer.Option("--debug", metavar="", help="Log each API call to stderr and show tracebacks (never credentials)."),
]
PollIntervalOpt = Annotated[
    float | None,
    typer.Option(
        "--poll-interval", min=0.01, metavar="SECONDS", help="With --wait: the first poll interval; later ones grow."
    ),
]
# Targets of the bulk changes (set-mode, modify).
TargetIdsArg = Annotated[
    list[str] | None,
    typer.Argument(metavar="ID", help="WorkSpace IDs; - reads IDs from stdin, one a line.", show_default=False),
]
TargetDirectoryOpt = Annotated[
    str | None,
    typer.Option(
        "--directory-id",
        metavar="ID",
        help="Every WorkSpace of this directory.",
        autocompletion=complete_directory_ids,
    ),
]
TargetBundleOpt = Annotated[
    str | None,
    typer.Option(
        "--bundle-id", metavar="ID", help="Every WorkSpace made from this bundle.", autocompletion=complete_bundle_ids
    ),
]
ChangeWaitOpt = Annotated[bool, wait_option("Follow each change until it has been applied.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", metavar="", help="Do not ask for confirmation.")]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", metavar="", help="Show the plan and send nothing that changes anything.")
]


def app_context(
    ctx: typer.Context, output: OutputFormat | None = None, no_input: bool = False, debug: bool = False
) -> AppContext:
    """The AppContext of this invocation, with the per-command copies of -o/--no-input/--debug applied."""
    root = ctx.find_root()
    base: AppContext | None = root.obj if isinstance(root.obj, AppContext) else None
    if base is None:  # a command invoked without the root callback (only in unit tests)
        from wsctl.options import GlobalOptions

        base = AppContext(GlobalOptions())
    if output is None and not no_input and not debug:
        return base
    merged = base.with_options(base.options.with_overrides(output=output, no_input=no_input, debug=debug))
    root.obj = merged  # the error handler reads --debug from here
    return merged
