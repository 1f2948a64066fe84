"""Reading what the user points wsctl at: a file or `-` (stdin), its format, and IDs one a line.

One reader serves every command, so `-f`, `--ids-from` and `-` behave the same everywhere:
the same messages for a missing, binary or non-UTF-8 file, the same format sniffing, and
the same rules for ID lists (blank lines and `#` comments skipped).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

STDIN_NAME = "<stdin>"


def read_source(path: str, stdin: TextIO | None = None) -> tuple[str, str | None, str | None]:
    """(display name, text, error) for a path or '-' (stdin)."""
    name = STDIN_NAME if path == "-" else path
    try:
        raw = _read_stdin(stdin or sys.stdin) if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        return name, None, f"cannot read: {exc.strerror or exc}"
    if b"\x00" in raw[:8192]:
        return name, None, "is a binary file, not YAML or CSV text"
    try:
        return name, raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return name, None, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8"


def _read_stdin(stream: TextIO) -> bytes:
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        return bytes(buffer.read())
    return stream.read().encode("utf-8")  # a replaced text stream (tests)


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
