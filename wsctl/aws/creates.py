"""CreateWorkspaces for batches of any size: idempotency lookups, chunking, recovery.

- Users who already have a WorkSpace in the directory are found first and not sent.
- Requests go out 25 a call, calls overlapping within the client-side rate limit;
  botocore retries throttling, 5xx and dropped connections.
- CreateWorkspaces has no client token: when a retried call answers
  `ResourceExists.WorkSpace` because the first response was lost, the WorkSpace was
  created after all; we look it up and report it as pending, not as failed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from wsctl.aws.calls import PAGE_SIZE, ServiceBase, chunked
from wsctl.errors import ServiceError

EXISTS_CODE = "ResourceExists.WorkSpace"
# A WorkSpace created by a call whose response was lost may be invisible to
# DescribeWorkspaces for a moment (AWS documents it); look again for about this long.
RECOVERY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
# Whole-call failures that concern only the requests in that call: the rest of the batch goes on.
PER_CALL_CODES = frozenset(
    {
        "ResourceLimitExceededException",
        "InvalidParameterValuesException",
        "ValidationException",
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailable",
        "InternalFailure",
        "InternalServerError",
    }
)


class Recorder(Protocol):
    def write(self, event: str, **data: Any) -> None: ...


def user_key(directory_id: str, user_name: str) -> tuple[str, str]:
    return directory_id, user_name.lower()


@dataclass
class CreateOutcome:
    """Results merged over all calls; safe to read after an interruption."""

    pending: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    existing: list[dict[str, Any]] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)  # IDs found after a lost response
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, pending: Iterable[dict[str, Any]], failed: Iterable[dict[str, Any]]) -> None:
        with self._lock:
            self.pending.extend(pending)
            self.failed.extend(failed)


class CreateCalls(ServiceBase):
    def find_existing(self, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """WorkSpaces that already exist for (directory, user) pairs, keyed by user_key.

        One user in a directory: one DirectoryId+UserName call. More: page through the
        directory, stopping when every user is found, and switching to per-user calls once
        the pages read outnumber the users still missing (the API gives no count, so this
        keeps the calls within twice the cheaper of the two ways).
        """
        by_directory: dict[str, dict[str, str]] = {}
        for directory_id, user in wanted:
            by_directory.setdefault(directory_id, {})[user.lower()] = user
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for directory_id, users in by_directory.items():
            missing = dict(users)
            if len(missing) > 1 and self._scan_directory(directory_id, missing, found):
                continue
            if missing:
                found.update(self._find_one_by_one(directory_id, list(missing.values())))
        return found

    def _scan_directory(
        self, directory_id: str, missing: dict[str, str], found: dict[tuple[str, str], dict[str, Any]]
    ) -> bool:
        """Page through a directory's WorkSpaces; True when nothing is left to look up one by one."""
        pages_read = 0
        pages = self._raw_pages(
            "describe_workspaces", DirectoryId=directory_id, PaginationConfig={"PageSize": PAGE_SIZE}
        )
        for page in pages:
            pages_read += 1
            for ws in page.get("Workspaces", []):
                key = str(ws.get("UserName", "")).lower()
                if key in missing:
                    found[user_key(directory_id, key)] = ws
                    del missing[key]
            if not page.get("NextToken"):
                missing.clear()  # the whole directory was read: the rest have no WorkSpace
                return True
            if not missing:
                return True
            if pages_read >= len(missing):
                return False
        return True

    def _find_one_by_one(self, directory_id: str, users: Sequence[str]) -> dict[tuple[str, str], dict[str, Any]]:
        def lookup(user: str) -> list[dict[str, Any]]:
            response = self._call("describe_workspaces", DirectoryId=directory_id, UserName=user)
            return list(response.get("Workspaces", []))

        found: dict[tuple[str, str], dict[str, Any]] = {}
        for workspaces in self.map_concurrently(lookup, users):
            for ws in workspaces:
                found[user_key(directory_id, str(ws.get("UserName", "")))] = ws
        return found

    def create_workspaces(
        self,
        requests: Sequence[dict[str, Any]],
        outcome: CreateOutcome,
        record: Recorder | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> CreateOutcome:
        """Create every request, 25 a call; results accumulate in `outcome` as calls return."""
        chunks = list(chunked(list(requests), 25))

        def send(numbered: tuple[int, Sequence[dict[str, Any]]]) -> None:
            number, chunk = numbered
            if record:
                record.write("send", call=number, UserNames=[r.get("UserName") for r in chunk])
            try:
                response = self._call("create_workspaces", Workspaces=list(chunk))
                pending = list(response.get("PendingRequests", []))
                failed = list(response.get("FailedRequests", []))
            except ServiceError as exc:
                if exc.code not in PER_CALL_CODES:
                    raise
                pending = []
                failed = [
                    {"WorkspaceRequest": r, "ErrorCode": exc.code, "ErrorMessage": exc.aws_message} for r in chunk
                ]
            if record:
                record.write("response", call=number, PendingRequests=pending, FailedRequests=failed)
            outcome.add(pending, failed)

        for _ in self.map_concurrently(send, list(enumerate(chunks, start=1))):
            pass
        self._recover_lost_responses(outcome, record, sleep)
        return outcome

    def _recover_lost_responses(
        self, outcome: CreateOutcome, record: Recorder | None, sleep: Callable[[float], None]
    ) -> None:
        suspects = {
            user_key(f["WorkspaceRequest"].get("DirectoryId", ""), f["WorkspaceRequest"].get("UserName", "")): f
            for f in outcome.failed
            if f.get("ErrorCode") == EXISTS_CODE
        }
        # Users we already reported as pending in this run would be duplicates of themselves.
        pending_keys = {user_key(p.get("DirectoryId", ""), p.get("UserName", "")) for p in outcome.pending}
        for key in list(suspects):
            if key in pending_keys:
                outcome.failed.remove(suspects.pop(key))
        delays = iter(RECOVERY_DELAYS)
        while suspects:
            found = self.find_existing([(d, suspects[(d, u)]["WorkspaceRequest"]["UserName"]) for d, u in suspects])
            for key, ws in found.items():
                failure = suspects.pop(key, None)
                if failure is None:
                    continue
                outcome.failed.remove(failure)
                outcome.pending.append(ws)
                outcome.recovered.append(ws["WorkspaceId"])
                if record:
                    record.write("recovered", Workspace=ws)
            delay = next(delays, None)
            if not suspects or delay is None:
                break
            sleep(delay)
