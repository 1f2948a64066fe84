"""One invocation's environment: its options, its streams, and what they resolve to.

As httpie's `Environment`: stdin, stdout and stderr belong to this object (tests hand it
their own), and nothing else in wsctl reads `sys.stdin` or writes `sys.stdout` itself.
The client, the service object and the Rich consoles are built on first use, so `--help`
and completion never pay for them.
"""

from __future__ import annotations

import io
import sys
from functools import cached_property
from typing import TYPE_CHECKING, Any, TextIO

from wsctl.options import GlobalOptions, OutputFormat

if TYPE_CHECKING:
    from rich.console import Console

    from wsctl.aws.identity import Where
    from wsctl.aws.ratelimit import TokenBucket
    from wsctl.aws.service import WorkspacesService


class AppContext:
    def __init__(
        self,
        options: GlobalOptions,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self.options = options
        # Looked up at use, not at import: pytest's capture and pexpect swap the sys streams.
        self._stdin, self._stdout, self._stderr = stdin, stdout, stderr
        self._account: tuple[str | None] | None = None  # (account,) once looked up: one STS call a run
        self._held = _HeldData()

    def with_options(self, options: GlobalOptions) -> AppContext:
        copy = AppContext(options, stdin=self._stdin, stdout=self._stdout, stderr=self._stderr)
        copy._held = self._held  # one invocation, one stdout
        return copy

    @property
    def stdin(self) -> TextIO:
        return self._stdin or sys.stdin

    @property
    def stdout(self) -> TextIO:
        """Where data goes. Piped while a person watches stderr, it is held until the command ends.

        A pager (`wsctl describe | less`) draws the data as it arrives, and stderr lines
        written after it (summaries, warnings) would land on top of the pager's screen;
        held, the data reaches the pager after the last stderr line. Data comes at the end of
        a command anyway, so a reader waits no longer; `release_data` writes it out.
        """
        real = self.live_stdout
        return self._held.stream(real, hold=not _isatty(real) and _isatty(self.stderr))

    @property
    def live_stdout(self) -> TextIO:
        """stdout itself, never held: for a line a script waits for while wsctl runs (`sandbox serve`)."""
        return self._stdout or sys.stdout

    def release_data(self) -> None:
        """Write out the data held back while stderr had a person's terminal (see `stdout`)."""
        self._held.release(self.live_stdout)

    @property
    def stderr(self) -> TextIO:
        return self._stderr or sys.stderr

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
        return _isatty(self.stdin) and _isatty(self.stderr)

    @property
    def can_confirm(self) -> bool:
        """True when a person can answer a confirmation: as `interactive`, or stdin is a pipe but
        stderr is a terminal and the process has one to read from (`... -o ids | wsctl set-mode -`)."""
        if self.options.no_input or not _isatty(self.stderr):
            return False
        return _isatty(self.stdin) or controlling_terminal() is not None

    def where(self, *, account: bool = False) -> Where:
        """Where this run's calls go, in words; `account`: look up the AWS account (once a run).

        Ask for the account only when a question is about to be shown: it costs an STS call.
        """
        from wsctl.aws import identity

        if self.options.sandbox:
            return identity.sandbox_where()
        region = self.client.meta.region_name
        if self.options.endpoint_url:
            return identity.endpoint_where(self.options.endpoint_url, region)
        if account and self._account is None:
            self._account = (identity.caller_account(self.session, region),)
        who = identity.credentials_owner(self.session, self.options.profile)
        found = self._account[0] if self._account is not None else None
        return identity.aws_where(who, region, found, looked_up=self._account is not None)

    @cached_property
    def session(self) -> Any:
        """The botocore session behind `client` (not for --sandbox), shared by the account lookup."""
        from wsctl.aws.clients import aws_session

        return aws_session(self.options)

    @cached_property
    def rate_limiter(self) -> TokenBucket:
        from wsctl.aws.ratelimit import TokenBucket

        return TokenBucket(self.options.max_rate, self.options.burst)

    @cached_property
    def client(self) -> Any:
        from wsctl.aws.clients import build_client

        if self.options.sandbox:
            return build_client(self.options, self.rate_limiter)
        return build_client(self.options, self.rate_limiter, session=self.session, note=self.note)

    @cached_property
    def service(self) -> WorkspacesService:
        from wsctl.aws.service import WorkspacesService

        return WorkspacesService(self.client, rate_limiter=self.rate_limiter)

    @cached_property
    def out(self) -> Console:
        """Data: tables, JSON, YAML, IDs."""
        return _console(self.stdout)

    @cached_property
    def err(self) -> Console:
        """Everything else: progress, warnings, summaries, errors."""
        return _console(self.stderr)

    def warn(self, message: str) -> None:
        self.err.print(f"[yellow]warning:[/yellow] {_escape(message)}", highlight=False, soft_wrap=True)

    def note(self, message: str) -> None:
        self.err.print(_escape(message), highlight=False, soft_wrap=True)


class _HeldData:
    """The data of one invocation, held in memory when stdout is a pipe and stderr a terminal."""

    def __init__(self) -> None:
        self._buffer: io.StringIO | None = None
        self._decided = False

    def stream(self, real: TextIO, *, hold: bool) -> TextIO:
        if not self._decided:  # decided once: a Console built on the buffer keeps writing there
            self._decided = True
            self._buffer = io.StringIO() if hold else None
        return self._buffer if self._buffer is not None else real

    def release(self, real: TextIO) -> None:
        if self._buffer is None:
            return
        data, self._buffer = self._buffer.getvalue(), None
        self._decided = False
        if data:
            real.write(data)
            real.flush()


def _console(stream: TextIO) -> Console:
    from rich.console import Console

    return Console(file=stream, highlight=False, soft_wrap=False, emoji=False)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def controlling_terminal() -> str | None:
    """The path of this process's terminal when it has one it can open (/dev/tty), else None."""
    import os

    path = "/dev/tty"
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    except OSError:  # no controlling terminal (cron, CI, a detached process), or no /dev/tty at all
        return None
    os.close(fd)
    return path


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
