"""The one place where an exception becomes a message on stderr and an exit code."""

from __future__ import annotations

import sys
from typing import Any

from wsctl.errors import ExitCode, WsctlError


def report_exception(exc: BaseException, *, debug: bool = False, stream: Any = None) -> ExitCode:
    """Print a user-facing message for `exc` on stderr and return the exit code to use."""
    stream = stream or sys.stderr
    if isinstance(exc, KeyboardInterrupt):
        stream.write("\ninterrupted\n")
        return ExitCode.INTERRUPTED
    from wsctl.aws.errors import translate_aws_error

    error = exc if isinstance(exc, WsctlError) else translate_aws_error(exc)
    # A translated botocore error keeps its original as __cause__: --debug shows where it came from.
    if debug and (not isinstance(exc, WsctlError) or exc.__cause__ is not None):
        import traceback

        traceback.print_exception(exc, file=stream)
    if error is None:
        stream.write(f"error: unexpected {type(exc).__name__}: {exc}\n")
        stream.write("hint: run again with --debug for the full traceback, and report it.\n")
        return ExitCode.ERROR
    red = _colour(stream)
    for line in error.lines():
        if red and line.startswith("error:"):
            line = "\x1b[31merror:\x1b[0m" + line[len("error:") :]
        stream.write(line + "\n")
    return error.exit_code


def _colour(stream: Any) -> bool:
    """Red `error:` on a terminal, as warnings are yellow; never with NO_COLOR (no-color.org) or TERM=dumb."""
    import os

    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
