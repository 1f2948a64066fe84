"""ModifyWorkspaceProperties across a fleet: one WorkSpace per call, calls overlapping.

OperationInProgressException means an earlier change is still being applied; the call is
tried again after a pause. Every other refusal (InvalidResourceState, Unsupported...,
AccessDenied by a tag-based policy, ...) is reported for that WorkSpace alone; only errors
that would fail every call (bad credentials, no network) stop the run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from wsctl.aws.calls import IN_PROGRESS_CODE, STOP_EVERYTHING, ServiceBase
from wsctl.aws.calls import IN_PROGRESS_DELAYS as IN_PROGRESS_DELAYS
from wsctl.aws.creates import Recorder
from wsctl.errors import ServiceError


@dataclass
class ModifyOutcome:
    modified: list[str] = field(default_factory=list)  # every planned call accepted
    failed: list[dict[str, Any]] = field(default_factory=list)  # {"WorkspaceId", "ErrorCode", "ErrorMessage"}
    requested: set[str] = field(default_factory=set)  # at least one call accepted (kept as calls return)
    retried: int = 0  # OperationInProgress retries
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def ok(self, workspace_id: str) -> None:
        with self._lock:
            self.modified.append(workspace_id)

    def fail(self, workspace_id: str, code: str, message: str) -> None:
        with self._lock:
            self.failed.append({"WorkspaceId": workspace_id, "ErrorCode": code, "ErrorMessage": message})


class ModifyCalls(ServiceBase):
    def modify_properties(
        self,
        changes: Sequence[tuple[str, dict[str, Any]]],
        outcome: ModifyOutcome,
        record: Recorder | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        in_progress_delays: Sequence[float] | None = None,
    ) -> ModifyOutcome:
        """ModifyWorkspaceProperties for each (WorkspaceId, properties), calls overlapping."""

        def one(change: tuple[str, dict[str, Any]]) -> None:
            workspace_id, props = change
            if record:
                record.write("send", WorkspaceId=workspace_id, WorkspaceProperties=props)
            delays = iter(IN_PROGRESS_DELAYS if in_progress_delays is None else in_progress_delays)
            while True:
                try:
                    self._call("modify_workspace_properties", WorkspaceId=workspace_id, WorkspaceProperties=props)
                except ServiceError as exc:
                    code, message = exc.code, exc.aws_message
                    if code in STOP_EVERYTHING:
                        raise
                    delay = next(delays, None) if code == IN_PROGRESS_CODE else None
                    if delay is not None:
                        with outcome._lock:
                            outcome.retried += 1
                        sleep(delay)
                        continue
                    outcome.fail(workspace_id, code, message)
                    if record:
                        record.write("response", WorkspaceId=workspace_id, ErrorCode=code, ErrorMessage=message)
                    return
                outcome.ok(workspace_id)
                if record:
                    record.write("response", WorkspaceId=workspace_id, ok=True)
                return

        for _ in self.map_concurrently(one, list(changes)):
            pass
        return outcome
