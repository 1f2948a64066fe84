"""What "settled" means for each operation (`WaitSpec`s), and what a wait reports.

The polling loop that applies these is `wsctl.ops.waiter`; the live view renders the
`Change`s and `WaitResult`s defined here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from wsctl.spec.states import FAILED, IMAGE_FAILED, IMAGE_GOOD, SETTLED_GOOD

Description = dict[str, Any]


class Status(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass
class Item:
    id: str
    label: str = ""  # user name or image name, for display
    state: str | None = None  # the service's state, or None while not visible
    status: Status = Status.PENDING
    reason: str = ""  # why it failed
    seen: bool = False  # has the service returned it at least once?
    description: Description | None = None
    change: str = ""  # what is being changed, when the state alone does not show it: "user volume 50 -> 100 GiB"


@dataclass(frozen=True)
class Change:
    item: Item
    old_state: str | None
    new_state: str | None
    at: float  # seconds since the wait began


@dataclass(frozen=True)
class Verdict:
    status: Status
    state: str | None
    reason: str = ""


class WaitSpec(Protocol):
    """What settled means for one operation."""

    def judge(self, item: Item, description: Description | None, elapsed: float) -> Verdict: ...


def _absent(item: Item, elapsed: float, grace: float) -> Verdict:
    if item.seen:
        return Verdict(Status.FAILED, "TERMINATED", "disappeared (terminated)")
    if elapsed < grace:
        return Verdict(Status.PENDING, item.state)  # e.g. PENDING, as the create call answered
    return Verdict(Status.FAILED, item.state, f"not visible to DescribeWorkspaces after {grace:.0f} s")


def _failure_reason(description: Description) -> str:
    state = description.get("State")
    code, message = description.get("ErrorCode"), description.get("ErrorMessage")
    detail = ": ".join(str(x) for x in (code, message) if x)
    return f"ended in {state}" + (f" ({detail})" if detail else "")


def _modification_verdict(description: Description) -> Verdict | None:
    """UPDATE_FAILED fails an item; any other modification in ModificationStates keeps it pending.

    The service keeps a WorkSpace AVAILABLE while its properties change, so State alone
    would call it settled too early.
    """
    state = description.get("State")
    mods = description.get("ModificationStates") or []
    failed = [m for m in mods if m.get("State") == "UPDATE_FAILED"]
    if failed:
        resources = ", ".join(str(m.get("Resource")) for m in failed)
        return Verdict(Status.FAILED, state, f"UPDATE_FAILED on {resources}")
    if mods:
        return Verdict(Status.PENDING, state)
    return None


@dataclass(frozen=True)
class SettleSpec:
    """create and describe: settled-good or failed state kinds end the wait.

    An ID not returned yet counts as pending for `grace` seconds (a new WorkSpace may be
    invisible for a moment); one that disappears after being seen was terminated.
    """

    grace: float = 120.0
    # Being terminated before the wait began (a fleet-wide describe --wait after a terminate or a
    # migration): TERMINATED, or gone, is where these were going, not a failure.
    leaving: frozenset[str] = frozenset()

    def judge(self, item: Item, description: Description | None, elapsed: float) -> Verdict:
        if item.id in self.leaving and (description is None or description.get("State") == "TERMINATED"):
            return Verdict(Status.SUCCEEDED, "TERMINATED")
        if description is None:
            return _absent(item, elapsed, self.grace)
        state = description.get("State")
        if state in FAILED:
            return Verdict(Status.FAILED, state, _failure_reason(description))
        modification = _modification_verdict(description)
        if modification is not None:
            return modification
        if state in SETTLED_GOOD:
            return Verdict(Status.SUCCEEDED, state)
        return Verdict(Status.PENDING, state)


@dataclass(frozen=True)
class ModifySpec:
    """set-mode / modify: no modification left, AVAILABLE or STOPPED, with the requested properties."""

    expected: Mapping[str, Mapping[str, Any]]  # WorkspaceId -> WorkspaceProperties that must hold
    grace: float = 60.0

    def judge(self, item: Item, description: Description | None, elapsed: float) -> Verdict:
        if description is None:
            return _absent(item, elapsed, self.grace)
        state = description.get("State")
        modification = _modification_verdict(description)
        if modification is not None and modification.status is Status.FAILED:
            return modification
        if state in FAILED:
            return Verdict(Status.FAILED, state, _failure_reason(description))
        if modification is not None or state not in ("AVAILABLE", "STOPPED"):
            return Verdict(Status.PENDING, state)
        props = description.get("WorkspaceProperties") or {}
        wanted = self.expected.get(item.id, {})
        # A property the endpoint does not report (moto omits volume sizes) cannot be checked:
        # no modification in progress is then all there is to wait for.
        if all(k not in props or props[k] == v for k, v in wanted.items()):
            return Verdict(Status.SUCCEEDED, state)
        return Verdict(Status.PENDING, state)


@dataclass(frozen=True)
class ActionSpec:
    """start, stop, reboot, ...: done in a `settles_at` state (terminate: once the ID is gone).

    A WorkSpace shows the state it was in for a moment after the call, so a state counts
    only once the WorkSpace has moved away from where it started. Two exceptions: a reboot
    can be over before any poll sees REBOOTING (`may_finish_unseen`: done after `grace`), and
    a WorkSpace that never moves from a failure state has failed after `stuck_after`.
    """

    settles_at: frozenset[str]
    before: Mapping[str, str | None]  # WorkspaceId -> state when the action was requested
    gone_is_done: bool = False
    may_finish_unseen: bool = False
    grace: float = 30.0
    stuck_after: float = 300.0
    absent_grace: float = 120.0
    moved: set[str] = field(default_factory=set)

    def judge(self, item: Item, description: Description | None, elapsed: float) -> Verdict:
        if description is None:
            if self.gone_is_done:
                return Verdict(Status.SUCCEEDED, "gone")
            return _absent(item, elapsed, self.absent_grace)
        state = description.get("State")
        if state != self.before.get(item.id):
            self.moved.add(item.id)
        moved = item.id in self.moved
        if self.gone_is_done and state == "TERMINATED":
            return Verdict(Status.SUCCEEDED, state)
        if state in FAILED and (moved or elapsed >= self.stuck_after):
            return Verdict(Status.FAILED, state, _failure_reason(description))
        if state in self.settles_at and (moved or (self.may_finish_unseen and elapsed >= self.grace)):
            return Verdict(Status.SUCCEEDED, state)
        return Verdict(Status.PENDING, state)


@dataclass(frozen=True)
class ImageSpec:
    grace: float = 60.0

    def judge(self, item: Item, description: Description | None, elapsed: float) -> Verdict:
        if description is None:
            if item.seen:
                return Verdict(Status.FAILED, None, "the image disappeared")
            if elapsed < self.grace:
                return Verdict(Status.PENDING, None)
            return Verdict(Status.FAILED, None, f"not visible to DescribeWorkspaceImages after {self.grace:.0f} s")
        state = description.get("State")
        if state in IMAGE_GOOD:
            return Verdict(Status.SUCCEEDED, state)
        if state in IMAGE_FAILED:
            return Verdict(Status.FAILED, state, _failure_reason(description))
        return Verdict(Status.PENDING, state)


@dataclass(frozen=True)
class Round:
    asked: int  # items not yet settled when the round began
    elapsed: float


@dataclass
class WaitResult:
    items: list[Item]
    elapsed: float = 0.0
    timed_out: bool = False
    interrupted: bool = False
    rounds: list[Round] = field(default_factory=list)

    def with_status(self, status: Status) -> list[Item]:
        return [i for i in self.items if i.status is status]

    @property
    def pending(self) -> list[Item]:
        return self.with_status(Status.PENDING)

    @property
    def failed(self) -> list[Item]:
        return self.with_status(Status.FAILED)

    @property
    def succeeded(self) -> list[Item]:
        return self.with_status(Status.SUCCEEDED)


def exit_status(result: WaitResult) -> str:
    """'interrupted', 'timeout' (something still pending), 'failed' (something failed) or 'ok'."""
    if result.interrupted:
        return "interrupted"
    if result.pending:
        return "timeout"
    if result.failed:
        return "failed"
    return "ok"
