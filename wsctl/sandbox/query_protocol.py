"""The AWS query protocol for CloudWatch: form-encoded requests, XML answers.

CloudWatch's third protocol, and the only one botocore had for it until CloudWatch's model
listed `json` (wsctl allows botocore 1.34, which sends this): `POST /` with
`Action=<Op>&Version=2010-08-01&MetricDataQueries.member.1.Id=...` (lists as `.member.N`,
timestamps ISO 8601), answered `<OpResponse><OpResult>...</OpResult><ResponseMetadata>`,
errors `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`. Both
directions follow the installed model's shapes.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from wsctl.sandbox.metrics import CloudWatchError, raw_model

CONTENT_TYPE = "text/xml"
FORM_TYPE = "application/x-www-form-urlencoded"
API_VERSION = "2010-08-01"


def is_query_request(content_type: str, body: bytes) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == FORM_TYPE or body.startswith(b"Action=")


def parse(body: bytes) -> tuple[str, dict[str, Any]]:
    """(operation, params in the JSON view) of a form-encoded request; raises CloudWatchError."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CloudWatchError("MalformedQueryString", f"The request body is not a query string: {exc}") from None
    form = dict(pairs)
    operation = form.pop("Action", "")
    form.pop("Version", None)
    spec = raw_model()["operations"].get(operation)
    if spec is None or "input" not in spec:
        return operation, {}
    value = _read(form, "", spec["input"]["shape"])
    return operation, value if isinstance(value, dict) else {}


def _read(form: dict[str, str], prefix: str, shape_name: str) -> Any:
    shape = raw_model()["shapes"][shape_name]
    kind = shape["type"]
    if kind == "structure":
        out: dict[str, Any] = {}
        for name, member in shape.get("members", {}).items():
            key = f"{prefix}.{name}" if prefix else name
            if key in form or any(k.startswith(key + ".") for k in form):
                out[name] = _read(form, key, member["shape"])
        return out
    if kind == "list":
        items = []
        n = 1
        while f"{prefix}.member.{n}" in form or any(k.startswith(f"{prefix}.member.{n}.") for k in form):
            items.append(_read(form, f"{prefix}.member.{n}", shape["member"]["shape"]))
            n += 1
        return items
    text = form.get(prefix, "")
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("double", "float"):
            return float(text)
        if kind == "boolean":
            return text.lower() == "true"
        if kind == "timestamp":
            return _timestamp(text)
    except ValueError:
        raise CloudWatchError(
            "InvalidParameterValue", f"The value {text!r} for parameter {prefix} is invalid."
        ) from None
    return text


def _timestamp(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.timestamp()


def answer(operation: str, result: dict[str, Any], request_id: str) -> bytes:
    spec = raw_model()["operations"][operation].get("output")
    inner = _write(result, spec["shape"]) if spec else ""
    return (
        f'<{operation}Response xmlns="{_namespace()}"><{operation}Result>{inner}</{operation}Result>'
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{operation}Response>"
    ).encode()


def error(exc: CloudWatchError, request_id: str) -> bytes:
    side = "Sender" if exc.status < 500 else "Receiver"
    return (
        f'<ErrorResponse xmlns="{_namespace()}"><Error><Type>{side}</Type><Code>{escape(exc.code)}</Code>'
        f"<Message>{escape(exc.message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()


def _namespace() -> str:
    return str(raw_model()["metadata"].get("xmlNamespace", f"http://monitoring.amazonaws.com/doc/{API_VERSION}/"))


def _write(value: Any, shape_name: str) -> str:
    shapes = raw_model()["shapes"]
    shape = shapes[shape_name]
    kind = shape["type"]
    if kind == "structure":
        parts = []
        for name, member in shape.get("members", {}).items():
            if name in value and value[name] is not None:
                tag = member.get("locationName", name)
                parts.append(f"<{tag}>{_write(value[name], member['shape'])}</{tag}>")
        return "".join(parts)
    if kind == "list":
        member_shape = shape["member"]["shape"]
        member_kind = shapes[member_shape]["type"]
        if member_kind == "timestamp":  # the long lists of GetMetricData: no recursion per item
            return "".join(f"<member>{_iso(v)}</member>" for v in value)
        if member_kind in ("double", "float"):
            return "".join(f"<member>{_number(v)}</member>" for v in value)
        return "".join(f"<member>{_write(v, member_shape)}</member>" for v in value)
    if kind == "map":
        key_shape, value_shape = shape["key"]["shape"], shape["value"]["shape"]
        return "".join(
            f"<entry><key>{_write(k, key_shape)}</key><value>{_write(v, value_shape)}</value></entry>"
            for k, v in value.items()
        )
    if kind == "timestamp":
        return _iso(value)
    if kind in ("double", "float"):
        return _number(value)
    if kind == "boolean":
        return "true" if value else "false"
    return escape(str(value))


def _iso(value: float) -> str:
    return dt.datetime.fromtimestamp(value, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _number(value: float) -> str:
    return repr(float(value)) if math.isfinite(value) else ("NaN" if math.isnan(value) else "Infinity")
