"""The root Typer app: global options and command wiring, nothing else.

Command modules import only Typer and light wsctl modules at import time; botocore, Rich
and YAML are imported where they are used, so `--help` and completion stay fast.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from wsctl import __version__
from wsctl.cli.create import create
from wsctl.cli.describe import describe
from wsctl.cli.describe_images import describe_images
from wsctl.cli.import_image import import_image
from wsctl.cli.lifecycle import register as register_lifecycle
from wsctl.cli.modify import modify
from wsctl.cli.plan import register as register_plan
from wsctl.cli.sandbox import sandbox_app
from wsctl.cli.set_mode import set_mode
from wsctl.cli.typer_internals import (
    evaluate_annotations_once,
    hide_argument_types,
    plain_option_types,
    whole_summaries,
)
from wsctl.cli.usage import usage
from wsctl.context import AppContext
from wsctl.errors import ExitCode
from wsctl.options import DEFAULT_BURST, DEFAULT_MAX_ATTEMPTS, DEFAULT_RATE, GlobalOptions, OutputFormat, RetryMode


class WsctlGroup(TyperGroup):
    """Turns every error a command raises into one message and a named exit code."""

    _plain_params = False

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        # Every run (and every completion call) starts here: coerce plain option values
        # without Typer's pydantic adapters, which cost more than the rest of a describe.
        if not self._plain_params:
            from wsctl.cli.typer_internals import install

            install(self)
            self._plain_params = True
        if parent is None and not extra.get("resilient_parsing"):  # not while completing a TAB
            from wsctl.cli.argv import global_options_first

            args = global_options_first(self, args)
        return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        try:
            return self._invoke_reporting_errors(ctx)
        finally:
            # After the last stderr line (an error's too): data held for a pager comes last.
            if isinstance(ctx.obj, AppContext):
                try:
                    ctx.obj.release_data()
                except BrokenPipeError:
                    raise typer.Exit(_reader_gone()) from None

    def _invoke_reporting_errors(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise typer.Exit(_reader_gone()) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - this is the one place errors become exit codes
            if _is_click_exception(exc):
                raise
            from wsctl.cli.report import report_exception

            raise typer.Exit(report_exception(exc, debug=_debug_of(ctx))) from None
        except KeyboardInterrupt as exc:
            from wsctl.cli.report import report_exception

            raise typer.Exit(report_exception(exc)) from None

    def _main_shell_completion(self, ctx_args: Any, prog_name: str, complete_var: str | None = None) -> None:
        # A TAB press (_WSCTL_COMPLETE set): one-line help, no Rich (see wsctl.cli.completion).
        from wsctl.cli.typer_internals import use_plain_help_formats

        use_plain_help_formats()
        super()._main_shell_completion(ctx_args, prog_name, complete_var)


def _is_click_exception(exc: BaseException) -> bool:
    # Typer bundles Click; its usage errors carry their own exit code (2) and message.
    return any(cls.__name__ in ("ClickException", "Exit", "Abort") for cls in type(exc).__mro__)


def _debug_of(ctx: Any) -> bool:
    obj = ctx.find_root().obj
    return isinstance(obj, AppContext) and obj.debug


app = typer.Typer(
    name="wsctl",
    cls=WsctlGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"wsctl {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    profile: Annotated[
        str | None, typer.Option("--profile", envvar="AWS_PROFILE", metavar="NAME", help="AWS named profile.")
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", envvar=["AWS_REGION", "AWS_DEFAULT_REGION"], metavar="REGION", help="AWS Region."),
    ] = None,
    endpoint_url: Annotated[
        str | None,
        typer.Option(
            "--endpoint-url",
            metavar="URL",
            envvar="AWS_ENDPOINT_URL_WORKSPACES",
            help="Send requests to this endpoint (e.g. a `wsctl sandbox serve` URL).",
        ),
    ] = None,
    sandbox: Annotated[
        bool,
        typer.Option("--sandbox", metavar="", envvar="WSCTL_SANDBOX", help="Use the built-in sandbox instead of AWS."),
    ] = False,
    output: Annotated[
        OutputFormat,
        typer.Option(
            "-o",
            "--output",
            envvar="WSCTL_OUTPUT",
            case_sensitive=False,
            help="Output format: table, wide (every column), json, yaml, or ids (one ID a line).",
        ),
    ] = OutputFormat.table,
    no_input: Annotated[
        bool,
        typer.Option(
            "--no-input", metavar="", envvar="WSCTL_NO_INPUT", help="Never prompt; a missing value is an error."
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug", metavar="", help="Log each API call to stderr and show tracebacks (never credentials)."
        ),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            metavar="",
            envvar="WSCTL_VERBOSE",
            help="Result tables list every item (above 20, only those that did not succeed are listed).",
        ),
    ] = False,
    retry_mode: Annotated[
        RetryMode,
        typer.Option("--retry-mode", envvar="AWS_RETRY_MODE", case_sensitive=False, help="botocore retry mode."),
    ] = RetryMode.standard,
    max_attempts: Annotated[
        int,
        typer.Option(
            "--max-attempts",
            metavar="N",
            envvar="AWS_MAX_ATTEMPTS",
            min=1,
            help="Attempts per call, first one included (throttling, 5xx, dropped connections).",
        ),
    ] = DEFAULT_MAX_ATTEMPTS,
    max_rate: Annotated[
        float,
        typer.Option(
            "--max-rate",
            metavar="RATE",
            envvar="WSCTL_MAX_RATE",
            min=0.01,
            help="Client-side limit, calls per second (AWS allows 2/s steady).",
        ),
    ] = DEFAULT_RATE,
    burst: Annotated[
        int,
        typer.Option(
            "--burst", envvar="WSCTL_BURST", min=1, metavar="N", help="Calls allowed at once before --max-rate applies."
        ),
    ] = DEFAULT_BURST,
    version: Annotated[
        bool,
        typer.Option("--version", metavar="", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Amazon WorkSpaces fleets from the terminal.

    Data goes to stdout, everything else to stderr. Exit codes: 0 success, 1 error,
    2 invalid input (nothing sent), 3 some items failed, 4 --wait timed out, 5 plan --detailed-exitcode:
    something would change, 130 interrupted.

    Example (the built-in sandbox: no AWS account needed):

        \b
        wsctl --sandbox create -f examples/fleet.yaml --yes --wait
        wsctl --sandbox describe
    """
    ctx.obj = AppContext(
        GlobalOptions(
            profile=profile,
            region=region,
            endpoint_url=endpoint_url,
            endpoint_url_from_env=_from_environment(ctx, "endpoint_url"),
            sandbox=sandbox,
            output=output,
            no_input=no_input,
            debug=debug,
            verbose=verbose,
            retry_mode=retry_mode,
            max_attempts=max_attempts,
            max_rate=max_rate,
            burst=burst,
        )
    )


app.command("create")(create)
app.command("describe")(describe)
app.command("set-mode")(set_mode)
app.command("modify")(modify)
app.command("import-image")(import_image)
app.command("describe-images")(describe_images)
app.command("usage")(usage)
register_lifecycle(app)
register_plan(app)
app.add_typer(sandbox_app, name="sandbox")


evaluate_annotations_once(app)
hide_argument_types()
plain_option_types()
whole_summaries()


def _from_environment(ctx: typer.Context, name: str) -> bool:
    # By name: the enum is click's, which Typer may carry a copy of.
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "ENVIRONMENT"


def _reader_gone() -> int:
    """The reader of stdout stopped reading (`wsctl describe -o ids | head -1`): it has what it wanted.

    Whether the pipe breaks depends on timing, so an error code here (Click's default is 1)
    would make `set -o pipefail` scripts fail now and then; the output is simply cut short.
    """
    import os
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot fail again
    return ExitCode.OK


def run() -> None:
    try:
        app(prog_name="wsctl")
    except BrokenPipeError:  # raised outside a command (e.g. while printing --help)
        raise SystemExit(_reader_gone()) from None


__all__ = ["app", "run", "ExitCode"]
