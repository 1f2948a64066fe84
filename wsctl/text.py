"""Small wording helpers shared by messages."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 WorkSpace', '2 WorkSpaces', '1,000 WorkSpaces'."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
