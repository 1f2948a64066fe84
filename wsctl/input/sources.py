"""Reading what the user points wsctl at: a file or `-` (stdin), its format, and IDs one a line.

One reader serves every command, so `-f`, `--ids-from` and `-` behave the same everywhere:
the same messages for a missing, binary or non-UTF-8 file, the same format sniffing, and
the same rules for ID lists (blank lines and `#` comments skipped).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

STDIN_NAME = "<stdin>"
# Far above any real input (a million-entry batch is about 100 MiB), so a wrong path
# (`-f /dev/zero`, a disk image, an endless pipe) is refused instead of filling memory.
MAX_INPUT_BYTES = 1 << 30
_CHUNK = 1 << 20
_SNIFF = 8192


class _TooBig(Exception):
    pass


class _Binary(Exception):
    pass


def read_source(path: str, stdin: TextIO | None = None) -> tuple[str, str | None, str | None]:
    """(display name, text, error) for a path or '-' (stdin), read in bounded chunks."""
    name = STDIN_NAME if path == "-" else path
    try:
        if path == "-":
            raw = _read_stdin(stdin or sys.stdin)
        else:
            with Path(path).open("rb") as handle:
                raw = _read_bounded(handle.read)
    except OSError as exc:
        return name, None, f"cannot read: {exc.strerror or exc}"
    except _Binary:
        return name, None, "is a binary file, not YAML or CSV text"
    except _TooBig:
        return (
            name,
            None,
            (
                f"is larger than {_size(MAX_INPUT_BYTES)}, far more than any fleet needs; "
                "check the path (or split the input into several files)"
            ),
        )
    try:
        return name, raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return name, None, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8"


def _size(count: int) -> str:
    return f"{count / (1 << 30):g} GiB" if count >= 1 << 30 else f"{count / (1 << 20):g} MiB"


def _read_bounded(read: Callable[[int], bytes]) -> bytes:
    """All of a stream up to MAX_INPUT_BYTES; binary data is recognised in the first chunk."""
    data = bytearray()
    while True:
        chunk = read(_CHUNK)
        if not chunk:
            return bytes(data)
        if len(data) < _SNIFF and b"\x00" in (bytes(data[:_SNIFF]) + chunk[:_SNIFF])[:_SNIFF]:
            raise _Binary
        data += chunk
        if len(data) > MAX_INPUT_BYTES:
            raise _TooBig


def _read_stdin(stream: TextIO) -> bytes:
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        return _read_bounded(buffer.read)
    # A replaced text stream (tests): characters, encoded as they come.
    return _read_bounded(lambda size: stream.read(size).encode("utf-8", "surrogateescape"))


def format_of(name: str, text: str) -> str:
    """'csv' or 'yaml' (JSON is YAML here): by the file's ending, else by its first line."""
    lower = name.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".yaml", ".yml", ".json")):
        return "yaml"
    first = next((line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")), "")
    if first.startswith(("{", "[", "-")) or ":" in first:
        return "yaml"
    return "csv" if "," in first else "yaml"


def id_lines(text: str, name: str) -> list[tuple[str, str]]:
    """(ID, where) for each ID in a list of one a line; blank lines and # comments are skipped."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.strip()
        if value and not value.startswith("#"):
            out.append((value, f"{name} line {number}"))
    return out
