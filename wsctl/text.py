"""Small wording helpers shared by messages."""

from __future__ import annotations

from collections.abc import Iterable


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 WorkSpace', '2 WorkSpaces', '1,000 WorkSpaces'."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def state_counts(states: Iterable[str | None]) -> str:
    """'2 AVAILABLE, 1 PENDING' (sorted by state)."""
    counts: dict[str, int] = {}
    for state in states:
        counts[state or "UNKNOWN"] = counts.get(state or "UNKNOWN", 0) + 1
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
