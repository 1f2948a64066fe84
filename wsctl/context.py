"""What the global options resolve to: the client, the output format, whether we may prompt.

Command modules receive an `AppContext` and ask it for the service layer and the consoles;
nothing here is built until a command needs it, so `--help` stays fast.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

from wsctl.aws.ratelimit import DEFAULT_BURST, DEFAULT_RATE

if TYPE_CHECKING:
    from rich.console import Console

    from wsctl.aws.ratelimit import TokenBucket
    from wsctl.aws.service import WorkspacesService


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    yaml = "yaml"
    ids = "ids"


class RetryMode(StrEnum):
    standard = "standard"
    adaptive = "adaptive"


# Enough that a batch survives sustained 30% throttling (0.3**12 ~ 5e-7 per call).
DEFAULT_MAX_ATTEMPTS = 12


@dataclass(frozen=True)
class GlobalOptions:
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    sandbox: bool = False
    output: OutputFormat = OutputFormat.table
    no_input: bool = False
    debug: bool = False
    retry_mode: RetryMode = RetryMode.standard
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    max_rate: float = DEFAULT_RATE
    burst: int = DEFAULT_BURST

    def with_overrides(self, **changes: Any) -> GlobalOptions:
        return replace(self, **{k: v for k, v in changes.items() if v not in (None, False)})


class AppContext:
    def __init__(self, options: GlobalOptions) -> None:
        self.options = options

    @property
    def output(self) -> OutputFormat:
        return self.options.output

    @property
    def debug(self) -> bool:
        return self.options.debug

    @property
    def sandbox(self) -> bool:
        return self.options.sandbox

    def command_prefix(self) -> str:
        """`wsctl` with the options that choose the account and endpoint, for commands we suggest."""
        import shlex

        parts = ["wsctl"]
        if self.options.sandbox:
            parts.append("--sandbox")
        else:
            for flag, value in (
                ("--profile", self.options.profile),
                ("--region", self.options.region),
                ("--endpoint-url", self.options.endpoint_url),
            ):
                if value:
                    parts += [flag, shlex.quote(value)]
        return " ".join(parts)

    @property
    def interactive(self) -> bool:
        """True when a person can answer a prompt: stdin and stderr are terminals, no --no-input."""
        if self.options.no_input:
            return False
        return _isatty(sys.stdin) and _isatty(sys.stderr)

    @cached_property
    def rate_limiter(self) -> TokenBucket:
        from wsctl.aws.ratelimit import TokenBucket

        return TokenBucket(self.options.max_rate, self.options.burst)

    @cached_property
    def client(self) -> Any:
        from wsctl.aws.clients import build_client

        return build_client(self.options, self.rate_limiter)

    @cached_property
    def service(self) -> WorkspacesService:
        from wsctl.aws.service import WorkspacesService

        return WorkspacesService(self.client, rate_limiter=self.rate_limiter)

    @cached_property
    def out(self) -> Console:
        """Data: tables, JSON, YAML, IDs."""
        from wsctl.render.consoles import make_console

        return make_console(sys.stdout)

    @cached_property
    def err(self) -> Console:
        """Everything else: progress, warnings, summaries, errors."""
        from wsctl.render.consoles import make_console

        return make_console(sys.stderr)

    def warn(self, message: str) -> None:
        self.err.print(f"[yellow]warning:[/yellow] {_escape(message)}", highlight=False, soft_wrap=True)

    def note(self, message: str) -> None:
        self.err.print(_escape(message), highlight=False, soft_wrap=True)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
