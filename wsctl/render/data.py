"""Machine-readable output: JSON, YAML and one-ID-a-line, always on stdout.

JSON keeps the AWS API's own shapes and key names, so jq recipes written for the AWS CLI
carry over; timestamps are ISO 8601 strings as the AWS CLI prints them.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from wsctl.options import OutputFormat


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, default=_default, ensure_ascii=False)


def to_yaml(data: Any) -> str:
    import yaml

    # Round-trip through JSON so YAML shows exactly what JSON shows (no Python tags).
    plain = json.loads(json.dumps(data, default=_default))
    return str(yaml.safe_dump(plain, sort_keys=False, allow_unicode=True, default_flow_style=False))


def emit(fmt: OutputFormat, data: Any, ids: Iterable[str] = (), stream: TextIO | None = None) -> None:
    """Write `data` in a machine format (json/yaml) or `ids` one a line; table is not handled here."""
    out = stream or sys.stdout
    if fmt is OutputFormat.json:
        out.write(to_json(data) + "\n")
    elif fmt is OutputFormat.yaml:
        out.write(to_yaml(data))
    elif fmt is OutputFormat.ids:
        for item in ids:
            out.write(f"{item}\n")
    else:  # pragma: no cover - callers render tables themselves
        raise ValueError(f"emit() does not render {fmt}")
    out.flush()
