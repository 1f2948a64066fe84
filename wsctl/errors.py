"""Exit codes, the error hierarchy, and the one place where exceptions become messages.

Every outcome a script can branch on has a named exit code here; nothing else in wsctl
picks a number. Code raises `WsctlError` subclasses; the service object turns botocore's
errors into them (`wsctl.aws.errors`), and `wsctl.cli.report` prints them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # service, network, credentials, anything unexpected
    USAGE = 2  # bad flags or invalid input; nothing was sent
    PARTIAL = 3  # some items failed (FailedRequests, failed modifications, failure states)
    TIMEOUT = 4  # --wait gave up while items were still pending
    DIFFERENT = 5  # plan --detailed-exitcode: applying the file would change something
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
        return printable(f"{prefix}{label}{self.message}")


# What must never reach a terminal raw: control characters (ESC starts an escape sequence),
# bidirectional and zero-width characters (they make text print as other text), and lone
# surrogates. A key, a file name or a value the user wrote may hold any of them.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\ud800-\udfff]")


def printable(text: str) -> str:
    """text with every character that could drive or fool a terminal written as an escape (\\x1b, \\u202e)."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class InvalidInput(UsageError):
    """One or more problems found before sending anything.

    The report is bounded: a file with 100,000 bad entries shows the first few problems of
    each kind, then how many more there are like them, not 100,000 lines.
    """

    SHOWN_PER_KIND = 5
    SHOWN_AT_MOST = 50

    def __init__(self, problems: Iterable[LocatedProblem | str], *, hint: str | None = None) -> None:
        kinds: dict[str, str] = {}  # the same line once, in order, with its kind
        for p in problems:
            text = str(p)
            if text not in kinds:
                kinds[text] = _kind_of(p)
        self.problems = list(kinds)
        self._kinds = list(kinds.values())
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found; nothing was sent", hint=hint)

    def lines(self) -> list[str]:
        out: list[str] = []
        shown: dict[str, int] = {}
        hidden: dict[str, list[Any]] = {}  # kind -> [count, an example]
        # (a subclass or caller that replaced .problems gets no grouping, but still a bound)
        kinds = self._kinds if len(self._kinds) == len(self.problems) else self.problems
        for text, kind in zip(self.problems, kinds, strict=True):
            if shown.get(kind, 0) < self.SHOWN_PER_KIND and len(out) < self.SHOWN_AT_MOST:
                shown[kind] = shown.get(kind, 0) + 1
                out.append(f"error: {text}")
            else:
                hidden.setdefault(kind, [0, text])[0] += 1
        for more, example in hidden.values():
            like = example if len(example) <= 200 else example[:197] + "..."
            out.append(f"error: ... and {more:,} more like these ({like})")
        if len(self.problems) > 1:
            out.append(f"{len(self.problems):,} problems found; nothing was sent.")
        else:
            out.append("Nothing was sent.")
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out


_VARIABLE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\d+")


def _kind_of(problem: LocatedProblem | str) -> str:
    """Problems of one kind differ only in place, values and numbers: "running_mode: 'X' is not one of ..."."""
    if isinstance(problem, LocatedProblem):
        return f"{problem.label}\0{_VARIABLE.sub('#', problem.message)}"
    return _VARIABLE.sub("#", problem)


class ServiceError(WsctlError):
    """The service (AWS or the sandbox) refused a call."""

    def __init__(
        self, message: str, *, code: str = "", operation: str = "", aws_message: str = "", hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.code = code  # the service's error code, e.g. "OperationInProgressException"
        self.operation = operation
        self.aws_message = aws_message  # the service's own words, for per-item reports
