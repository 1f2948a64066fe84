"""Run records: a JSON Lines file per mutating run, written as each call returns.

An interrupted run (Ctrl-C, a lost SSH session, SIGKILL) must not lose what it did: every
request is recorded before it is sent and every response as soon as it arrives, flushed
and synced, in `$XDG_STATE_HOME/wsctl/runs/` with owner-only permissions. Rerunning the same
command finishes the job (create looks up what already exists first).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path
from typing import Any

from wsctl import __version__
from wsctl.paths import state_dir


def runs_dir() -> Path:
    return state_dir() / "runs"


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)


def write_private(path: Path, text: str) -> Path:
    """Write a file only its owner can read (whatever the umask), in an owner-only folder."""
    _private_folder(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


class RunRecord:
    def __init__(self, command: str, argv: list[str], *, directory: Path | None = None) -> None:
        folder = directory or runs_dir()
        _private_folder(folder)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        # One file a run: a second run of one process in the same second gets a file of its own.
        for n in range(1000):
            suffix = f"-{n}" if n else ""
            self.path = folder / f"{stamp}-{command}-{os.getpid()}{suffix}.jsonl"
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
                break
            except FileExistsError:
                continue
        else:  # pragma: no cover - a thousand runs of one process in one second
            raise FileExistsError(self.path)
        self._file = os.fdopen(fd, "a", encoding="utf-8")
        self._lock = threading.Lock()
        self.write("start", command=command, argv=argv, version=__version__, pid=os.getpid())

    def write(self, event: str, **data: Any) -> None:
        line = json.dumps(
            {"event": event, "time": dt.datetime.now(dt.UTC).isoformat(), **data},
            default=_json_default,
            separators=(",", ":"),
        )
        with self._lock:
            if self._file.closed:
                return
            self._file.write(line + "\n")
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self, **summary: Any) -> None:
        self.write("end", **summary)
        with self._lock:
            self._file.close()


def read_record(path: Path) -> list[dict[str, Any]]:
    """Events of a run record; a line cut short by a kill is skipped."""
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return events
