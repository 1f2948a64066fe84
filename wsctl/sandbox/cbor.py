"""Just enough CBOR (RFC 8949) for the Smithy RPC v2 CBOR protocol.

The WorkSpaces model lists `smithy-rpc-v2-cbor` before `json`; SDKs that pick the first
protocol they support (the Go SDK v2 behind Terraform, for one) send CBOR, and a future
botocore may too. The sandbox answers them in kind: requests are decoded to the same
plain values JSON gives, answers are encoded with the service model's shapes so that
timestamps carry tag 1 (epoch seconds), as SDK decoders require.
"""

from __future__ import annotations

import base64
import math
import struct
from typing import Any

_TIMESTAMP_TAG = 1
_BREAK = object()
# Far deeper than any WorkSpaces request, and shallow enough that the recursive decoder
# (a few Python frames a level) stays well inside the interpreter's recursion limit.
MAX_DEPTH = 64


class CBORError(ValueError):
    pass


class Timestamp(float):
    """A number to encode as tag 1 (epoch seconds)."""


# --- decoding ----------------------------------------------------------------------------------


def decode(data: bytes) -> Any:
    """One well-formed CBOR data item; anything else (truncated, trailing bytes, reserved values,
    misused indefinite lengths, lengths longer than the data, nesting over MAX_DEPTH, a map
    key that is an array or a map) raises CBORError, and nothing else."""
    reader = _Reader(data)
    try:
        value = reader.item()
    except RecursionError:  # not expected below MAX_DEPTH; a client error all the same, not a crash
        raise CBORError("CBOR nested too deeply") from None
    if value is _BREAK:
        raise CBORError("unexpected break code")
    if reader.pos != len(data):
        raise CBORError(f"{len(data) - reader.pos} bytes after the CBOR data item")
    return value


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.depth = 0

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.data):
            raise CBORError("truncated CBOR data")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def argument(self, info: int) -> int:
        if info < 24:
            return info
        if info in (24, 25, 26, 27):
            size = 1 << (info - 24)
            return int.from_bytes(self.take(size), "big")
        raise CBORError(f"invalid additional information {info}")

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def item(self) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise CBORError("CBOR nested too deeply")
        try:
            return self._item()
        finally:
            self.depth -= 1

    def _item(self) -> Any:
        initial = self.take(1)[0]
        major, info = initial >> 5, initial & 0x1F
        if major == 7:
            return self._simple(info)
        if info == 31:
            return self._indefinite(major)
        value = self.argument(info)
        if major == 0:
            return value
        if major == 1:
            return -1 - value
        if major == 2:
            return self.take(value)
        if major == 3:
            return self._text(self.take(value))
        if major == 4:
            if value > self.remaining():  # every item takes a byte at least: fail now, not after a long loop
                raise CBORError(f"an array of {value} items in {self.remaining()} bytes")
            return [self._required() for _ in range(value)]
        if major == 5:
            if value > self.remaining() // 2:
                raise CBORError(f"a map of {value} entries in {self.remaining()} bytes")
            out: dict[Any, Any] = {}
            for _ in range(value):
                key = self._key(self._required())
                out[key] = self._required()
            return out
        # major 6: a tag; tag 1 (epoch time) and any other tag give the tagged value
        inner = self._required()
        if value == _TIMESTAMP_TAG and not isinstance(inner, int | float):
            raise CBORError("tag 1 must hold a number")
        return inner

    def _required(self) -> Any:
        value = self.item()
        if value is _BREAK:
            raise CBORError("unexpected break code")
        return value

    @staticmethod
    def _key(key: Any) -> Any:
        if isinstance(key, list | dict):
            raise CBORError(f"a map key must not be {'an array' if isinstance(key, list) else 'a map'}")
        return key

    def _indefinite(self, major: int) -> Any:
        if major in (2, 3):
            chunks = []
            while True:
                if self.remaining() < 1:
                    raise CBORError("truncated CBOR data")
                initial = self.data[self.pos]
                if initial == 0xFF:
                    self.pos += 1
                    break
                # RFC 8949, 3.2.3: each chunk a definite-length string of the same major type.
                if initial >> 5 != major or initial & 0x1F == 31:
                    raise CBORError("indefinite-length string with a chunk that is not a definite string of its type")
                chunks.append(self.item())
            return b"".join(chunks) if major == 2 else "".join(chunks)
        if major == 4:
            items = []
            while (item := self.item()) is not _BREAK:
                items.append(item)
            return items
        if major == 5:
            out: dict[Any, Any] = {}
            while (key := self.item()) is not _BREAK:
                out[self._key(key)] = self._required()
            return out
        raise CBORError(f"major type {major} cannot have an indefinite length")

    def _text(self, raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CBORError(f"text string is not UTF-8: {exc}") from None

    def _simple(self, info: int) -> Any:
        if info == 20:
            return False
        if info == 21:
            return True
        if info in (22, 23):
            return None
        if info == 25:
            return struct.unpack(">e", self.take(2))[0]
        if info == 26:
            return struct.unpack(">f", self.take(4))[0]
        if info == 27:
            return struct.unpack(">d", self.take(8))[0]
        if info == 31:
            return _BREAK
        if info == 24:
            if self.take(1)[0] < 32:  # RFC 8949, 3.3: simple values below 32 take the one-byte form
                raise CBORError("a two-byte simple value below 32")
            return None
        if info in (28, 29, 30):
            raise CBORError(f"reserved additional information {info} in major type 7")
        return None  # unassigned simple values, and undefined


# --- encoding ----------------------------------------------------------------------------------


def encode(value: Any) -> bytes:
    out = bytearray()
    _encode(value, out)
    return bytes(out)


def _head(major: int, n: int, out: bytearray) -> None:
    if n < 24:
        out.append(major << 5 | n)
    elif n < 1 << 8:
        out += bytes((major << 5 | 24, n))
    elif n < 1 << 16:
        out.append(major << 5 | 25)
        out += n.to_bytes(2, "big")
    elif n < 1 << 32:
        out.append(major << 5 | 26)
        out += n.to_bytes(4, "big")
    else:
        out.append(major << 5 | 27)
        out += n.to_bytes(8, "big")


def _encode(value: Any, out: bytearray) -> None:
    if value is None:
        out.append(0xF6)
    elif value is True:
        out.append(0xF5)
    elif value is False:
        out.append(0xF4)
    elif isinstance(value, Timestamp):
        _head(6, _TIMESTAMP_TAG, out)
        _encode(float(value) if not float(value).is_integer() else int(value), out)
    elif isinstance(value, int):
        if value >= 0:
            _head(0, value, out)
        else:
            _head(1, -1 - value, out)
    elif isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 2**63:
            _encode(int(value), out)
        else:
            out.append(0xFB)
            out += struct.pack(">d", value)
    elif isinstance(value, str):
        raw = value.encode("utf-8")
        _head(3, len(raw), out)
        out += raw
    elif isinstance(value, bytes | bytearray):
        _head(2, len(value), out)
        out += value
    elif isinstance(value, list | tuple):
        _head(4, len(value), out)
        _encode_items(value, out)
    elif isinstance(value, dict):
        _head(5, len(value), out)
        for key, item in value.items():
            _encode(key, out)
            _encode(item, out)
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


def _encode_items(items: list[Any] | tuple[Any, ...], out: bytearray) -> None:
    for item in items:
        kind = type(item)
        # A fast path for the long number lists of GetMetricData (timestamps, 0/1 values).
        if (kind is float or kind is Timestamp) and item.is_integer() and 0 <= item < 2**63:
            if kind is Timestamp:
                out.append(0xC1)  # tag 1, as _head(6, _TIMESTAMP_TAG) writes it
            _head(0, int(item), out)
        else:
            _encode(item, out)


# --- between the JSON view and the CBOR view, by the model's shapes ----------------------------------


def from_cbor_values(value: Any) -> Any:
    """CBOR-decoded request values as JSON would carry them (blobs as base64 text).

    Smithy RPC v2 CBOR keys are text strings: any other key is a CBORError.
    """
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise CBORError(f"a map key must be a text string, not {type(key).__name__} {key!r:.40}")
        return {k: from_cbor_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_cbor_values(v) for v in value]
    return value


def to_cbor_values(value: Any, shape_name: str | None, shapes: dict[str, Any]) -> Any:
    """A JSON-shaped answer with timestamps tagged and blobs as bytes, following the model's shapes."""
    shape = shapes.get(shape_name or "", {})
    kind = shape.get("type")
    if value is None:
        return None
    if kind == "timestamp" and isinstance(value, int | float) and not isinstance(value, bool):
        return Timestamp(value)
    if kind == "blob" and isinstance(value, str):
        return base64.b64decode(value)
    if kind == "structure" and isinstance(value, dict):
        members = shape.get("members", {})
        return {k: to_cbor_values(v, members[k]["shape"] if k in members else None, shapes) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        member = shape["member"]["shape"]
        if shapes.get(member, {}).get("type") == "timestamp":
            return [Timestamp(v) if isinstance(v, int | float) and not isinstance(v, bool) else v for v in value]
        return [to_cbor_values(v, member, shapes) for v in value]
    if kind == "map" and isinstance(value, dict):
        member = shape["value"]["shape"]
        return {k: to_cbor_values(v, member, shapes) for k, v in value.items()}
    return value
