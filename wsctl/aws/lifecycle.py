"""Start, stop, reboot, rebuild, restore, migrate, admin maintenance and terminate, for any number of WorkSpaces.

Batch operations go 25 IDs a call (as many as the model allows: RebuildWorkspaces takes one),
one-WorkSpace operations one call each; calls overlap within the client-side rate limit.
A FailedRequests item fails that WorkSpace; a refusal of the whole call fails the WorkSpaces
of that call; OperationInProgressException is tried again after a pause; only errors that
would fail every call (credentials) stop the run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from wsctl.aws.calls import IN_PROGRESS_CODE, IN_PROGRESS_DELAYS, STOP_EVERYTHING, ServiceBase, chunked
from wsctl.aws.creates import Recorder
from wsctl.errors import ServiceError, WsctlError
from wsctl.spec.actions import Action, batch_member

# The ErrorCode wsctl gives a WorkSpace whose call got no answer at all (not one of AWS's codes).
NO_ANSWER = "NoAnswer"


@dataclass
class ActionOutcome:
    """Results merged over all calls, as they return; safe to read after an interruption."""

    requested: list[str] = field(default_factory=list)  # accepted by the service
    failed: list[dict[str, Any]] = field(default_factory=list)  # FailedWorkspaceChangeRequest shapes
    migrated: list[dict[str, str]] = field(default_factory=list)  # {"SourceWorkspaceId", "TargetWorkspaceId"}
    calls: int = 0
    retried: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def accept(
        self, ids: Sequence[str], failed: Sequence[dict[str, Any]], migrated: dict[str, str] | None = None
    ) -> None:
        refused = {f.get("WorkspaceId") for f in failed}
        with self._lock:
            self.calls += 1
            self.requested.extend(i for i in ids if i not in refused)
            self.failed.extend(failed)
            if migrated:
                self.migrated.append(migrated)

    def retry(self) -> None:
        with self._lock:
            self.retried += 1


def _python_name(operation: str) -> str:
    from botocore import xform_name

    return str(xform_name(operation))


class LifecycleCalls(ServiceBase):
    def act(
        self,
        action: Action,
        workspace_ids: Sequence[str],
        outcome: ActionOutcome,
        record: Recorder | None = None,
        *,
        bundle_id: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        in_progress_delays: Sequence[float] | None = None,
    ) -> ActionOutcome:
        """Send `action` for every ID; results accumulate in `outcome` as calls return."""
        batch = batch_member(action.operation)
        size = batch[1] if batch else 1
        method = _python_name(action.operation)

        def params(chunk: Sequence[str]) -> dict[str, Any]:
            if batch:
                return {batch[0]: [{"WorkspaceId": i} for i in chunk]}
            if action.operation == "MigrateWorkspace":
                return {"SourceWorkspaceId": chunk[0], "BundleId": bundle_id}
            return {"WorkspaceId": chunk[0], **action.extra}

        def refused(chunk: Sequence[str], code: str, message: str) -> None:
            failed = [{"WorkspaceId": i, "ErrorCode": code, "ErrorMessage": message} for i in chunk]
            outcome.accept(chunk, failed)
            if record:
                record.write("response", FailedRequests=failed)

        def send(chunk: Sequence[str]) -> None:
            request = params(chunk)
            if record:
                record.write("send", operation=action.operation, WorkspaceIds=list(chunk))
            delays = iter(IN_PROGRESS_DELAYS if in_progress_delays is None else in_progress_delays)
            while True:
                try:
                    response = self._call(method, **request)
                    break
                except ServiceError as exc:
                    if exc.code in STOP_EVERYTHING:
                        raise
                    delay = next(delays, None) if exc.code == IN_PROGRESS_CODE else None
                    if delay is None:
                        return refused(chunk, exc.code, exc.aws_message)
                    outcome.retry()
                    sleep(delay)
                except WsctlError as exc:  # no answer after every retry (a timeout, a dropped connection)
                    return refused(chunk, NO_ANSWER, f"{exc.message} (it may have been done: check, or run again)")
            failed = list(response.get("FailedRequests", []))
            target = response.get("TargetWorkspaceId")
            migrated = {"SourceWorkspaceId": chunk[0], "TargetWorkspaceId": str(target)} if target else None
            outcome.accept(chunk, failed, migrated)
            if record:
                accepted = [i for i in chunk if i not in {f.get("WorkspaceId") for f in failed}]
                record.write("response", Requested=accepted, FailedRequests=failed, **(migrated or {}))

        for _ in self.map_concurrently(send, list(chunked(list(dict.fromkeys(workspace_ids)), size))):
            pass
        return outcome
