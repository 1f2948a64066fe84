"""Exit codes, the error hierarchy, and the one place where exceptions become messages.

Every outcome a script can branch on has a named exit code here; nothing else in wsctl
picks a number. Code raises `WsctlError` subclasses; the service object turns botocore's
errors into them (`wsctl.aws.errors`), and `wsctl.cli.report` prints them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # service, network, credentials, anything unexpected
    USAGE = 2  # bad flags or invalid input; nothing was sent
    PARTIAL = 3  # some items failed (FailedRequests, failed modifications, failure states)
    TIMEOUT = 4  # --wait gave up while items were still pending
    INTERRUPTED = 130  # Ctrl-C / SIGINT


class WsctlError(Exception):
    """An error with a message meant for the user (no traceback unless --debug)."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def lines(self) -> list[str]:
        out = [f"error: {self.message}"]
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out


class UsageError(WsctlError):
    """Bad flags or a missing value: exit 2, nothing was sent."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True, slots=True)
class LocatedProblem:
    """A validation problem with the place the user can fix it."""

    where: str  # "fleet.yaml:14:5", "users.csv row 7", "--running-mode"
    label: str  # the key or flag the user wrote: "running_mode"
    message: str  # what is wrong and what would be right

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        label = f"{self.label}: " if self.label and self.label != self.where else ""
        return f"{prefix}{label}{self.message}"


class InvalidInput(UsageError):
    """One or more problems found before sending anything."""

    def __init__(self, problems: Iterable[LocatedProblem | str], *, hint: str | None = None) -> None:
        self.problems = list(dict.fromkeys(str(p) for p in problems))  # the same line once
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found; nothing was sent", hint=hint)

    def lines(self) -> list[str]:
        out = [f"error: {p}" for p in self.problems]
        if len(self.problems) > 1:
            out.append(f"{len(self.problems)} problems found; nothing was sent.")
        else:
            out.append("Nothing was sent.")
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out


class ServiceError(WsctlError):
    """The service (AWS or the sandbox) refused a call."""

    def __init__(
        self, message: str, *, code: str = "", operation: str = "", aws_message: str = "", hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.code = code  # the service's error code, e.g. "OperationInProgressException"
        self.operation = operation
        self.aws_message = aws_message  # the service's own words, for per-item reports
