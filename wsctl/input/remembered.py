"""The last directory and bundle picked in an interactive `create`, offered first next time.

Kept in `$XDG_STATE_HOME/wsctl/last-choices.json`, one entry per account scope (the sandbox,
or a profile, Region and endpoint), so a sandbox directory is never offered for a real
account. It is only a convenience: a missing, unreadable or corrupt file reads as empty.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from wsctl.paths import make_private_dirs, state_dir

FILE_NAME = "last-choices.json"
VERSION = 1
# Enough for every account a person works with; the oldest scopes go first.
MAX_SCOPES = 50


def choices_path() -> Path:
    return state_dir() / FILE_NAME


def _read_scopes(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, unreadable, not UTF-8, not JSON
        return {}
    scopes = data.get("scopes") if isinstance(data, dict) and data.get("version") == VERSION else None
    if not isinstance(scopes, dict):
        return {}
    return {
        str(scope): {k: v for k, v in entry.items() if isinstance(k, str) and isinstance(v, str)}
        for scope, entry in scopes.items()
        if isinstance(entry, dict)
    }


def recall(scope: str) -> dict[str, str]:
    """What was last picked in `scope` (e.g. {"directory_id": "d-...", "bundle_id": "wsb-..."}), or {}."""
    return _read_scopes(choices_path()).get(scope, {})


def remember(scope: str, choices: dict[str, str]) -> None:
    """Record `choices` for `scope`, replacing the file at once (a crash leaves the old or the new one).

    Raises OSError for the caller to report (read-only state folder, a file in its way).
    """
    path = choices_path()
    scopes = _read_scopes(path)
    scopes.pop(scope, None)  # re-inserted last: the most recently used scope is kept longest
    scopes[scope] = {**choices}
    kept = dict(list(scopes.items())[-MAX_SCOPES:])
    make_private_dirs(path.parent)
    handle, temporary = tempfile.mkstemp(prefix=f".{FILE_NAME}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"version": VERSION, "scopes": kept}, out, indent=2)  # in use order: the oldest go first
            out.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
