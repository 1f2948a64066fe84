"""Turning flag values into located problems: which flag, what is wrong, what would be right."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from wsctl.errors import InvalidInput, LocatedProblem

if TYPE_CHECKING:
    from wsctl.spec.model import Problem


def flag_problems(problems: Iterable[Problem], flags: dict[str, str]) -> list[LocatedProblem]:
    """Name the flag a problem came from: flags maps an API member name to its flag."""
    out = []
    for p in problems:
        flag = next((flags[part] for part in p.path if isinstance(part, str) and part in flags), "")
        out.append(LocatedProblem(flag, "", p.message if p.kind != "required" else f"{flag or p.path_str} is required"))
    return out


def raise_if_problems(problems: Sequence[LocatedProblem], hint: str | None = None) -> None:
    if problems:
        raise InvalidInput(problems, hint=hint)


def parse_tags(values: Sequence[str] | None, flag: str = "--tag") -> tuple[list[dict[str, str]], list[LocatedProblem]]:
    """KEY=VALUE pairs (KEY= gives an empty value), and a problem for each pair without '='.

    The problems are returned, not raised, so the caller reports them with every other one.
    """
    tags: list[dict[str, str]] = []
    bad: list[LocatedProblem] = []
    for raw in values or ():
        key, sep, value = raw.partition("=")
        if not sep:
            bad.append(LocatedProblem(flag, "", f"{raw!r} is not KEY=VALUE (use {raw}= for an empty value)"))
            continue
        tags.append({"Key": key, "Value": value})
    return tags, bad


def warning_lines(problems: Iterable[Problem], flags: dict[str, str] | None = None) -> list[str]:
    """Warnings (problems that do not stop the run), each named by the flag it came from."""
    out = []
    for p in problems:
        flag = next((flags[part] for part in p.path if isinstance(part, str) and flags and part in flags), "")
        out.append(f"{flag}: {p.message}" if flag else p.message)
    return out
