"""The one backend core behind the in-process transport and the HTTP server.

`Backend.handle(operation, body)` takes an AWS JSON 1.1 request (the operation from
`X-Amz-Target: WorkspacesService.<Op>`, the JSON body) and answers `(status, headers,
body)` as the service would: 200 with the result, 400 with `{"__type", "message"}` for
errors, 500 `InternalFailure` for injected server errors and lost responses.
`Backend.handle_request(path, headers, body)` takes any HTTP request and picks the
protocol: AWS JSON 1.1, or Smithy RPC v2 CBOR (`/service/WorkspacesService/operation/<Op>`).

Every request runs in one SQLite write transaction: count it, roll the fault dice, check
the request against the service model, run the operation. The operation runs inside a
savepoint, so an operation error leaves the counters written and the state untouched.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from wsctl.sandbox import cbor, cloudwatch, ids, query_protocol
from wsctl.sandbox.metrics import CloudWatchError
from wsctl.sandbox.operations import OPERATIONS, ApiError, Operation, Tx
from wsctl.sandbox.reply import Reply as Reply  # where server.py and the tests import it from
from wsctl.sandbox.settings import Settings
from wsctl.sandbox.store import Store, next_counter
from wsctl.spec import model

SERVICE_NAME = "WorkspacesService"
TARGET_PREFIX = SERVICE_NAME + "."
CONTENT_TYPE = "application/x-amz-json-1.1"
CBOR_CONTENT_TYPE = "application/cbor"
RPC_V2_PATH = re.compile(r"/service/(?P<service>[^/]+)/operation/(?P<operation>[^/]+)/?")
THROTTLING_MESSAGE = "Rate exceeded"
INTERNAL_MESSAGE = "We encountered an internal error. Please try again."


def operation_from_target(target: str | None) -> str:
    """`WorkspacesService.CreateWorkspaces` -> `CreateWorkspaces` ('' for anything else)."""
    if target and target.startswith(TARGET_PREFIX):
        return target[len(TARGET_PREFIX) :]
    return ""


def reply(status: int, payload: dict[str, Any], *, request_id: str | None = None) -> Reply:
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {
        "x-amzn-RequestId": request_id or str(uuid.uuid4()),
        "Content-Type": CONTENT_TYPE,
        "Content-Length": str(len(body)),
    }
    return Reply(status, headers, body)


def error_reply(code: str, message: str, status: int = 400, *, request_id: str | None = None) -> Reply:
    answer = reply(status, {"__type": code, "message": message}, request_id=request_id)
    answer.headers["x-amzn-ErrorType"] = code
    return answer


class Backend:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def handle_request(self, path: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """An HTTP request in either protocol the model lists: AWS JSON 1.1 or Smithy RPC v2 CBOR."""
        lowered = {k.lower(): v for k, v in headers.items()}
        match = RPC_V2_PATH.fullmatch(path.split("?", 1)[0])
        target = lowered.get("x-amz-target") or ""
        if match is not None and match["service"] == cloudwatch.SERVICE_NAME:
            return self.handle_cloudwatch(match["operation"], *_parse_cbor(body), protocol="cbor")
        if target.startswith(cloudwatch.TARGET_PREFIX):
            return self.handle_cloudwatch(target[len(cloudwatch.TARGET_PREFIX) :], *_parse(body), protocol="json")
        if not target and match is None and query_protocol.is_query_request(lowered.get("content-type", ""), body):
            try:
                operation, params = query_protocol.parse(body)
            except CloudWatchError as exc:
                return self.handle_cloudwatch("", {}, exc, protocol="query")
            return self.handle_cloudwatch(operation, params, None, protocol="query")
        if match is not None or lowered.get("smithy-protocol") == "rpc-v2-cbor":
            operation = match["operation"] if match and match["service"] == SERVICE_NAME else ""
            return self.handle_cbor(operation, body)
        return self.handle(operation_from_target(lowered.get("x-amz-target")), body)

    def handle(self, operation: str, body: bytes) -> Reply:
        """An AWS JSON 1.1 request: the operation from X-Amz-Target, a JSON body."""
        return self._handle(operation, *_parse(body))

    def handle_cbor(self, operation: str, body: bytes) -> Reply:
        """A Smithy RPC v2 CBOR request: the operation from the URL path, a CBOR body."""
        answer = self._handle(operation, *_parse_cbor(body))
        payload = json.loads(answer.body)
        if answer.status == 200:
            spec = model.validator().operations.get(operation, {}).get("output")
            payload = cbor.to_cbor_values(payload, spec["shape"] if spec else None, model.validator().shapes)
        data = cbor.encode(payload)
        headers = {
            **answer.headers,
            "Content-Type": CBOR_CONTENT_TYPE,
            "Content-Length": str(len(data)),
            "smithy-protocol": "rpc-v2-cbor",
        }
        return Reply(answer.status, headers, data)

    def _handle(self, operation: str, params: dict[str, Any], parse_error: str | None) -> Reply:
        request_id = str(uuid.uuid4())
        run = OPERATIONS.get(operation)
        if run is None:
            name = operation or "(no X-Amz-Target: WorkspacesService.<Operation> header)"
            return error_reply(
                "UnknownOperationException",
                f"The sandbox does not implement the operation {name}.",
                request_id=request_id,
            )
        with self.store.write() as conn:
            now, settings, sequence = self._count(conn, operation)
            fault = _fault(conn, settings, sequence, now, request_id)
            if fault is not None:
                return fault
            if parse_error is not None:
                answer = error_reply("SerializationException", parse_error, request_id=request_id)
            else:
                answer = self._run(conn, run, operation, params, Tx(conn, now, settings), request_id)
        if _lost(settings, sequence):
            # The work is committed; only the answer is lost on the way back.
            return error_reply("InternalFailure", INTERNAL_MESSAGE, 500, request_id=request_id)
        return answer

    def handle_cloudwatch(
        self, operation: str, params: dict[str, Any], parse_error: str | CloudWatchError | None, *, protocol: str
    ) -> Reply:
        """A CloudWatch request (`protocol`: json, cbor or query): counted and faulted like any other.

        Only the counting and the fault dice take the write lock; the data points are computed
        in a read transaction, so a large GetMetricData does not hold up other writers.
        """
        request_id = str(uuid.uuid4())
        with self.store.write() as conn:
            now, settings, sequence = self._count(conn, operation or "(unknown CloudWatch operation)")
            # --rate-limit models WorkSpaces' own API rate (AWS: 2 a second); CloudWatch's quotas are
            # its own and far higher, so only the fault dice (--throttle-rate, ...) apply here.
            fault = _fault(conn, replace(settings, rate_limit=None), sequence, now, request_id)
        if fault is not None:
            raw = json.loads(fault.body)
            code = "Throttling" if raw["__type"] == "ThrottlingException" else "InternalServiceError"
            return cloudwatch.error(
                operation, CloudWatchError(code, raw["message"], fault.status), request_id, protocol=protocol
            )
        try:
            if isinstance(parse_error, CloudWatchError):
                raise parse_error
            if parse_error is not None:
                raise CloudWatchError("SerializationException", parse_error)
            with self.store.read() as conn:
                result = cloudwatch.run(operation, params, now, cloudwatch.histories(conn, now))
        except CloudWatchError as exc:
            return cloudwatch.error(operation, exc, request_id, protocol=protocol)
        if _lost(settings, sequence):
            lost = CloudWatchError("InternalServiceError", INTERNAL_MESSAGE, 500)
            return cloudwatch.error(operation, lost, request_id, protocol=protocol)
        return cloudwatch.encode(operation, 200, result, request_id, protocol=protocol)

    def _count(self, conn: sqlite3.Connection, operation: str) -> tuple[float, Settings, int]:
        """The request's clock, settings and sequence number; counted under `operation` (sandbox info)."""
        now = self.store.clock()
        settings = self.store.settings(conn)
        sequence = next_counter(conn, "request_seq")
        conn.execute(
            "INSERT INTO requests (operation, count) VALUES (?, 1)"
            " ON CONFLICT (operation) DO UPDATE SET count = count + 1",
            (operation,),
        )
        return now, settings, sequence

    def _run(
        self, conn: sqlite3.Connection, run: Operation, operation: str, params: dict[str, Any], tx: Tx, request_id: str
    ) -> Reply:
        problems = [p for p in model.validate(operation, params) if not p.warning and p.kind != "unknown"]
        wrong_types = [p for p in problems if p.kind == "type"]
        if wrong_types:
            text = "; ".join(f"{p.path_str}: {p.message}" for p in wrong_types)
            return error_reply("SerializationException", text, request_id=request_id)
        if problems:
            return error_reply("ValidationException", model.aws_validation_message(problems), request_id=request_id)
        conn.execute("SAVEPOINT operation")
        try:
            result = run(tx, params)
        except ApiError as exc:
            conn.execute("ROLLBACK TO operation")
            conn.execute("RELEASE operation")
            return error_reply(exc.code, exc.message, exc.status, request_id=request_id)
        conn.execute("RELEASE operation")
        return reply(200, result, request_id=request_id)


def _parse(body: bytes) -> tuple[dict[str, Any], str | None]:
    if not body.strip():
        return {}, None
    try:
        params = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return {}, f"The request body is not valid JSON: {exc}"
    except RecursionError:  # a body nested thousands deep: a client error, not a crash
        return {}, "The request body is nested too deeply."
    if not isinstance(params, dict):
        return {}, "The request body must be a JSON object."
    return params, None


def _parse_cbor(body: bytes) -> tuple[dict[str, Any], str | None]:
    if not body:
        return {}, None
    try:
        params = cbor.from_cbor_values(cbor.decode(body))
    except cbor.CBORError as exc:
        return {}, f"The request body is not valid CBOR: {exc}"
    if not isinstance(params, dict):
        return {}, "The request body must be a CBOR map."
    return params, None


def _lost(settings: Settings, sequence: int) -> bool:
    """--lost-response-rate: whether this request's answer is lost on the way back (its work is done)."""
    return (
        bool(settings.lost_response_rate)
        and ids.fraction(settings.seed, "lost", sequence) < settings.lost_response_rate
    )


def _fault(conn: sqlite3.Connection, settings: Settings, sequence: int, now: float, request_id: str) -> Reply | None:
    """An injected throttle or server error for this request, or None."""
    if settings.rate_limit:
        tokens, stamp = conn.execute("SELECT tokens, stamp FROM bucket WHERE id = 1").fetchone()
        tokens = min(float(settings.burst), tokens + max(0.0, now - stamp) * settings.rate_limit)
        limited = tokens < 1.0
        conn.execute("UPDATE bucket SET tokens = ?, stamp = ? WHERE id = 1", (tokens if limited else tokens - 1, now))
        if limited:
            return error_reply("ThrottlingException", THROTTLING_MESSAGE, request_id=request_id)
    if settings.throttle_rate and ids.fraction(settings.seed, "throttle", sequence) < settings.throttle_rate:
        return error_reply("ThrottlingException", THROTTLING_MESSAGE, request_id=request_id)
    if (
        settings.server_error_rate
        and ids.fraction(settings.seed, "server-error", sequence) < settings.server_error_rate
    ):
        return error_reply("InternalFailure", INTERNAL_MESSAGE, 500, request_id=request_id)
    return None
