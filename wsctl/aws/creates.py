"""CreateWorkspaces for batches of any size: idempotency lookups, chunking, reconciliation.

- Users who already have a WorkSpace in the directory are found first and not sent.
- Requests go out 25 a call, calls overlapping within the client-side rate limit;
  botocore retries throttling, 5xx and dropped connections.
- No entry is reported failed without an answer about it. A call can end without one:
  throttled after every retry, a 5xx, a dropped connection, a timeout. CreateWorkspaces
  has no client token, so an earlier attempt of that call may have done the work although
  its response was lost (and a retry then meets `ResourceExists.WorkSpace`). Such entries
  are *unsettled* until `reconcile` has looked up what exists for their users: a WorkSpace
  that exists is reported as created by this run when one of the call's attempts may have
  created it (a lost response), else as existing (another run created it meanwhile);
  an entry whose lookup could not finish is reported as unconfirmed, never as failed.
- Lookups are reads, so they are patient: beyond botocore's attempts they try again,
  backing off, when throttled or answered with a 5xx (`LOOKUP_RETRY_DELAYS`).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from wsctl.aws.calls import (
    PAGE_SIZE,
    CallTrace,
    ServiceBase,
    chunked,
    error_code,
    is_transient,
    is_unreachable,
    traced,
)
from wsctl.errors import ServiceError, WsctlError

EXISTS_CODE = "ResourceExists.WorkSpace"
# A WorkSpace created by a call whose response was lost may be invisible to
# DescribeWorkspaces for a moment (AWS documents it); look again for about this long.
RECOVERY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
# When botocore's own attempts of a lookup end throttled or with a 5xx: wait about this
# long (with jitter) and try again, once per delay.
LOOKUP_RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
# Whole-call refusals caused by one request in the call (a g4dn bundle with 80/10 GiB volumes):
# the call is split until the refused requests stand alone.
SPLIT_CODES = frozenset({"InvalidParameterValuesException", "ValidationException"})
# Whole-call refusals that concern only the requests in that call: the rest of the batch goes on.
PER_CALL_CODES = frozenset(
    {
        "ResourceLimitExceededException",
        "InvalidParameterValuesException",
        "ValidationException",
    }
)


class Recorder(Protocol):
    def write(self, event: str, **data: Any) -> None: ...


def user_key(directory_id: str, user_name: str) -> tuple[str, str]:
    return directory_id, user_name.lower()


def _request_key(entry: dict[str, Any]) -> tuple[str, str]:
    request = entry.get("WorkspaceRequest", {})
    return user_key(str(request.get("DirectoryId", "")), str(request.get("UserName", "")))


def _request_user(entry: dict[str, Any]) -> tuple[str, str]:
    request = entry.get("WorkspaceRequest", {})
    return str(request.get("DirectoryId", "")), str(request.get("UserName", ""))


@dataclass
class Unsettled:
    """A request without an answer about it yet: the failure to report if nothing exists for the user."""

    failure: dict[str, Any]
    maybe_ours: bool  # an attempt of its call may have done the work (its response was lost)


@dataclass
class CreateOutcome:
    """Results merged over all calls; safe to read after an interruption."""

    pending: list[dict[str, Any]] = field(default_factory=list)  # created by this run
    failed: list[dict[str, Any]] = field(default_factory=list)  # refused, or looked up and absent
    existing: list[dict[str, Any]] = field(default_factory=list)  # there before, or made by another run
    recovered: list[str] = field(default_factory=list)  # IDs in pending found after a lost response
    concurrent: list[str] = field(default_factory=list)  # IDs in existing that another run created meanwhile
    unsettled: list[Unsettled] = field(default_factory=list)  # not looked up yet
    unconfirmed: list[dict[str, Any]] = field(default_factory=list)  # the lookup could not finish
    sent_all: bool = False  # every call returned (what is left is only the reconciliation)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(
        self,
        pending: Iterable[dict[str, Any]],
        failed: Iterable[dict[str, Any]],
        unsettled: Iterable[Unsettled] = (),
    ) -> None:
        with self._lock:
            self.pending.extend(pending)
            self.failed.extend(failed)
            self.unsettled.extend(unsettled)

    @property
    def settled(self) -> bool:
        return not self.unsettled and not self.unconfirmed

    def give_up(self) -> None:
        """What could not be looked up is reported as unconfirmed (neither created nor failed)."""
        with self._lock:
            self.unconfirmed.extend(u.failure for u in self.unsettled)
            self.unsettled.clear()


class CreateCalls(ServiceBase):
    def find_existing(
        self, wanted: Iterable[tuple[str, str]], *, deadline: float | None = None
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """WorkSpaces that already exist for (directory, user) pairs, keyed by user_key.

        One user in a directory: one DirectoryId+UserName call. More: page through the
        directory, stopping when every user is found, and switching to per-user calls once
        the pages read outnumber the users still missing (the API gives no count, so this
        keeps the calls within twice the cheaper of the two ways). Every call is patient
        (`_lookup`); `deadline` (time.monotonic) bounds the waiting between its retries.
        """
        by_directory: dict[str, dict[str, str]] = {}
        for directory_id, user in wanted:
            by_directory.setdefault(directory_id, {})[user.lower()] = user
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for directory_id, users in by_directory.items():
            missing = dict(users)
            if len(missing) > 1 and self._scan_directory(directory_id, missing, found, deadline):
                continue
            if missing:
                found.update(self._find_one_by_one(directory_id, list(missing.values()), deadline))
        return found

    def _lookup(self, deadline: float | None, **params: Any) -> dict[str, Any]:
        """DescribeWorkspaces, tried again (backing off) while it ends throttled or with a 5xx.

        A read changes nothing, so trying again is always safe; an unreachable endpoint or a
        refusal (access denied, validation) is raised at once, as is the last error once the
        delays are spent, the deadline would pass, or `stopping` is set (Ctrl-C).
        """
        delays = iter(LOOKUP_RETRY_DELAYS)
        while True:
            try:
                return self._call("describe_workspaces", **params)
            except WsctlError as exc:
                if not is_transient(exc) or is_unreachable(exc):
                    raise
                delay = next(delays, None)
                if delay is None or self.stopping.is_set():
                    raise
                delay *= 0.5 + random.random() / 2
                if deadline is not None and time.monotonic() + delay > deadline:
                    raise
                if self.stopping.wait(delay):
                    raise

    def _scan_directory(
        self,
        directory_id: str,
        missing: dict[str, str],
        found: dict[tuple[str, str], dict[str, Any]],
        deadline: float | None,
    ) -> bool:
        """Page through a directory's WorkSpaces; True when nothing is left to look up one by one."""
        pages_read = 0
        token: str | None = None
        while True:
            params: dict[str, Any] = {"DirectoryId": directory_id, "Limit": PAGE_SIZE}
            if token:
                params["NextToken"] = token
            page = self._lookup(deadline, **params)
            pages_read += 1
            for ws in page.get("Workspaces", []):
                key = str(ws.get("UserName", "")).lower()
                if key in missing:
                    found[user_key(directory_id, key)] = ws
                    del missing[key]
            token = page.get("NextToken")
            if not token:
                missing.clear()  # the whole directory was read: the rest have no WorkSpace
                return True
            if not missing:
                return True
            if pages_read >= len(missing):
                return False

    def _find_one_by_one(
        self, directory_id: str, users: Sequence[str], deadline: float | None
    ) -> dict[tuple[str, str], dict[str, Any]]:
        def lookup(user: str) -> list[dict[str, Any]]:
            response = self._lookup(deadline, DirectoryId=directory_id, UserName=user)
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
        """Create every request, 25 a call, then `reconcile`; results accumulate in `outcome` as calls return.

        A call refused for a reason that concerns the whole batch (access denied, expired
        credentials, an unreachable endpoint) raises once the calls in flight have
        returned; the caller reconciles what is unsettled.
        """
        chunks = list(chunked(list(requests), 25))

        def send(numbered: tuple[int, Sequence[dict[str, Any]]]) -> None:
            self._send_creates(numbered[0], numbered[1], outcome, record)

        for _ in self.map_concurrently(send, list(enumerate(chunks, start=1))):
            pass
        outcome.sent_all = True
        self.reconcile(outcome, record, sleep=sleep)
        return outcome

    def _send_creates(
        self, number: int, chunk: Sequence[dict[str, Any]], outcome: CreateOutcome, record: Recorder | None
    ) -> None:
        if not self._create_call(number, chunk, outcome, record) and len(chunk) > 1:
            # AWS refuses a whole call for one entry it rejects: halves are sent until the
            # refused entries stand alone, and the rest are created.
            half = len(chunk) // 2
            self._send_creates(number, chunk[:half], outcome, record)
            self._send_creates(number, chunk[half:], outcome, record)

    def _create_call(
        self, number: int, chunk: Sequence[dict[str, Any]], outcome: CreateOutcome, record: Recorder | None
    ) -> bool:
        """Send one call; False when the service refused the whole call for a request in it."""
        if record:
            record.write("send", call=number, UserNames=[r.get("UserName") for r in chunk])
        trace = CallTrace()
        pending: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        unsettled: list[Unsettled] = []
        try:
            with traced(trace):
                response = self._call("create_workspaces", Workspaces=list(chunk))
        except WsctlError as exc:
            code = error_code(exc)
            message = (exc.aws_message if isinstance(exc, ServiceError) else "") or exc.message
            entries = [{"WorkspaceRequest": r, "ErrorCode": code, "ErrorMessage": message} for r in chunk]
            if trace.maybe_done or (is_transient(exc) and not is_unreachable(exc)):
                unsettled = [Unsettled(e, trace.maybe_done) for e in entries]
            elif code in SPLIT_CODES and len(chunk) > 1:
                if record:
                    record.write("response", call=number, error=code, message=message, split=True)
                return False
            elif code in PER_CALL_CODES:
                failed = entries
            else:
                if record:
                    record.write("response", call=number, error=code, message=message)
                raise
        else:
            pending = list(response.get("PendingRequests", []))
            for failure in response.get("FailedRequests", []):
                if failure.get("ErrorCode") == EXISTS_CODE:
                    unsettled.append(Unsettled(failure, trace.maybe_done))
                else:
                    failed.append(failure)
        if record:
            record.write(
                "response",
                call=number,
                PendingRequests=pending,
                FailedRequests=failed,
                Unsettled=[u.failure for u in unsettled],
                attempts=trace.attempts,
                maybe_done=trace.maybe_done,
            )
        outcome.add(pending, failed, unsettled)
        return True

    def reconcile(
        self,
        outcome: CreateOutcome,
        record: Recorder | None = None,
        *,
        deadline: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> bool:
        """Look up what exists for every unsettled entry and settle it; True when all are settled.

        Found: created by this run if its call may have done the work, else existing (another
        run). Not found: failed, unless a WorkSpace may be there but invisible for a moment
        (a lost response, or the service said it exists): then looked up again after each of
        RECOVERY_DELAYS. Whatever is left when the lookups fail, the delays are spent or the
        deadline passes is unconfirmed. On Ctrl-C the rest is unconfirmed and the interrupt goes on.
        """
        self.stopping.clear()
        # Users already reported as created in this run would be duplicates of themselves.
        pending_keys = {user_key(p.get("DirectoryId", ""), p.get("UserName", "")) for p in outcome.pending}
        with outcome._lock:
            outcome.unsettled = [u for u in outcome.unsettled if _request_key(u.failure) not in pending_keys]
        delays = iter(RECOVERY_DELAYS)
        try:
            while outcome.unsettled:
                wanted = [_request_user(u.failure) for u in outcome.unsettled]
                try:
                    found = self.find_existing(wanted, deadline=deadline)
                except WsctlError as exc:
                    if record:
                        record.write("lookup-failed", error=exc.message)
                    break
                self._settle(outcome, found, record)
                if not outcome.unsettled:
                    break
                delay = next(delays, None)
                if delay is None:
                    # Looked for long enough: the service's own answer (or the call's error) stands.
                    self._settle(outcome, {}, record, final=True)
                    break
                if deadline is not None and time.monotonic() + delay > deadline:
                    break
                sleep(delay)
        finally:
            outcome.give_up()
            if record:
                for failure in outcome.unconfirmed:
                    record.write("unconfirmed", WorkspaceRequest=failure["WorkspaceRequest"])
        return outcome.settled

    def _settle(
        self,
        outcome: CreateOutcome,
        found: dict[tuple[str, str], dict[str, Any]],
        record: Recorder | None,
        *,
        final: bool = False,
    ) -> None:
        still: list[Unsettled] = []
        with outcome._lock:
            for entry in outcome.unsettled:
                ws = found.get(_request_key(entry.failure))
                if ws is not None and entry.maybe_ours:
                    outcome.pending.append(ws)
                    outcome.recovered.append(ws["WorkspaceId"])
                    if record:
                        record.write("recovered", Workspace=ws)
                elif ws is not None:
                    outcome.existing.append(ws)
                    outcome.concurrent.append(ws["WorkspaceId"])
                    if record:
                        record.write("existing", Workspace=ws)
                elif not final and (entry.maybe_ours or entry.failure.get("ErrorCode") == EXISTS_CODE):
                    still.append(entry)  # may be there, invisible for a moment
                else:
                    outcome.failed.append(entry.failure)
                    if record:
                        record.write("failed", **entry.failure)
            outcome.unsettled = still
