"""The three kinds of WorkSpace state, shared by --wait, the describe table and exit codes.

Any state not listed here (including ones newer than the installed botocore) is
transitional: we keep waiting rather than fail on a value we do not know.
"""

from __future__ import annotations

from enum import StrEnum


class StateKind(StrEnum):
    GOOD = "settled"
    FAILED = "failed"
    TRANSITIONAL = "transitional"


SETTLED_GOOD = frozenset({"AVAILABLE", "STOPPED", "ADMIN_MAINTENANCE"})
FAILED = frozenset({"ERROR", "UNHEALTHY", "IMPAIRED", "TERMINATED"})
# On its way out: a terminated WorkSpace, a migration's source, still shown for a while.
LEAVING = frozenset({"TERMINATING", "TERMINATED"})

IMAGE_GOOD = frozenset({"AVAILABLE"})
IMAGE_FAILED = frozenset({"ERROR"})


def state_kind(state: str | None) -> StateKind:
    if state in SETTLED_GOOD:
        return StateKind.GOOD
    if state in FAILED:
        return StateKind.FAILED
    return StateKind.TRANSITIONAL


STATE_STYLE = {StateKind.GOOD: "green", StateKind.FAILED: "bold red", StateKind.TRANSITIONAL: "yellow"}
