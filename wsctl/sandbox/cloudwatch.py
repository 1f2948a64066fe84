"""CloudWatch's side of the sandbox: GetMetricData and GetMetricStatistics, in the protocols botocore sends.

The CloudWatch model lists `smithy-rpc-v2-cbor`, `json` and `query`; botocore 1.44 picks by
its own priority (json before smithy-rpc-v2-cbor), so it and the AWS CLI v1 on it send AWS
JSON 1.0: `POST /`, `X-Amz-Target: GraniteServiceVersion20100801.<Op>`, Content-Type
`application/x-amz-json-1.0`, `x-amzn-query-mode: true`. SDKs that take the model's first
protocol send Smithy RPC v2 CBOR to `/service/GraniteServiceVersion20100801/operation/<Op>`;
botocore before CloudWatch's model listed json sends the query protocol (`query_protocol`).
All three are answered.

The model is `awsQueryCompatible`: an error answer carries the query protocol's code in
`x-amzn-query-error: <Code>;Sender`, which botocore reports as the error code
(InvalidParameterValue, InvalidNextToken, ...); `__type` names the model's error shape.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Mapping
from typing import Any

from wsctl.sandbox import cbor, query_protocol
from wsctl.sandbox.metrics import CloudWatchError, Lookup, get_metric_data, get_metric_statistics, raw_model
from wsctl.sandbox.reply import Reply
from wsctl.sandbox.usage import History

SERVICE_NAME = "GraniteServiceVersion20100801"
TARGET_PREFIX = SERVICE_NAME + "."
JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
OPERATIONS = {"GetMetricData": get_metric_data, "GetMetricStatistics": get_metric_statistics}
# The query codes of errors that are not in the model (botocore's retry logic knows both).
_UNMODELLED = {"Throttling": "ThrottlingException", "ValidationError": "ValidationError"}


def error_type(code: str) -> str:
    """The model's error shape for a query-protocol code (InvalidParameterValue -> InvalidParameterValueException)."""
    for name, shape in raw_model()["shapes"].items():
        if shape.get("error", {}).get("code") == code:
            return str(name)
    return _UNMODELLED.get(code, code)


def run(operation: str, params: dict[str, Any], now: float, lookup: Lookup) -> dict[str, Any]:
    """The answer of one operation (raises CloudWatchError)."""
    from wsctl.spec.model import aws_validation_message

    handler = OPERATIONS.get(operation)
    if handler is None:
        raise CloudWatchError(
            "UnknownOperationException", f"The sandbox does not implement the CloudWatch operation {operation or '?'}."
        )
    problems = [p for p in _validator().validate(operation, params) if not p.warning and p.kind != "unknown"]
    if any(p.kind == "type" for p in problems):
        text = "; ".join(f"{p.path_str}: {p.message}" for p in problems if p.kind == "type")
        raise CloudWatchError("SerializationException", text)
    if problems:
        missing = [p for p in problems if p.kind == "required"]
        if missing:
            raise CloudWatchError("MissingParameter", f"The parameter {missing[0].path_str} is required.")
        raise CloudWatchError("ValidationError", aws_validation_message(problems))
    return handler(params, now, lookup)


def _validator() -> Any:
    from wsctl.spec.model import ModelValidator

    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = ModelValidator(raw_model())
    return _VALIDATOR


_VALIDATOR: Any = None


def encode(operation: str, status: int, payload: dict[str, Any], request_id: str, *, protocol: str) -> Reply:
    """An answer in the request's protocol: json (AWS JSON 1.0), cbor (Smithy RPC v2 CBOR) or query (XML)."""
    headers = {"x-amzn-RequestId": request_id}
    if protocol == "cbor":
        if status == 200:
            spec = raw_model()["operations"].get(operation, {}).get("output")
            payload = cbor.to_cbor_values(payload, spec["shape"] if spec else None, raw_model()["shapes"])
        body = cbor.encode(payload)
        headers.update({"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"})
    elif protocol == "query":
        body = query_protocol.answer(operation, payload, request_id)
        headers["Content-Type"] = query_protocol.CONTENT_TYPE
    else:
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers["Content-Type"] = JSON_CONTENT_TYPE
    headers["Content-Length"] = str(len(body))
    return Reply(status, headers, body)


def error(operation: str, exc: CloudWatchError, request_id: str | None = None, *, protocol: str) -> Reply:
    request_id = request_id or str(uuid.uuid4())
    if protocol == "query":
        body = query_protocol.error(exc, request_id)
        headers = {
            "x-amzn-RequestId": request_id,
            "Content-Type": query_protocol.CONTENT_TYPE,
            "Content-Length": str(len(body)),
        }
        return Reply(exc.status, headers, body)
    shape = error_type(exc.code)
    answer = encode(operation, exc.status, {"__type": shape, "message": exc.message}, request_id, protocol=protocol)
    answer.headers["x-amzn-ErrorType"] = shape
    answer.headers["x-amzn-query-error"] = f"{exc.code};{'Sender' if exc.status < 500 else 'Receiver'}"
    return answer


def histories(conn: sqlite3.Connection, now: float) -> Lookup:
    """A lookup: WorkSpace IDs -> their History, read from `conn`."""
    from wsctl.sandbox import usage

    first, time_scale = usage.history_settings(conn)

    def lookup(workspace_ids: list[str]) -> Mapping[str, History]:
        found: dict[str, History] = {}
        for i in range(0, len(workspace_ids), 500):
            chunk = workspace_ids[i : i + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in conn.execute(f"SELECT * FROM workspaces WHERE workspace_id IN ({marks})", chunk):
                if row["visible_at"] > now:
                    continue
                history = usage.history(row, now, first, time_scale)
                if history is not None:
                    found[row["workspace_id"]] = history
        return found

    return lookup
