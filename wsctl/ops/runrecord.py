"""Run records: a JSON Lines file per mutating run, written as each call returns.

An interrupted run (Ctrl-C, a lost SSH session, SIGKILL) must not lose what it did: every
request is recorded before it is sent and every response as soon as it arrives, flushed
and synced, in `$XDG_STATE_HOME/wsctl/runs/` with owner-only permissions (folders wsctl
creates are 0700). Rerunning the same command finishes the job (create looks up what
already exists first).

A record that cannot be opened stops the run before anything is sent (`RunRecord` raises
a WsctlError naming the path). With `degrade=True`, one that fails later (a full disk)
degrades: the run goes on, later events are dropped, and `warning()` says so for the
command to print; what the run did still reaches the screen and stdout. Without it, the
OSError is raised as before.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import threading
from pathlib import Path
from typing import IO, Any

from wsctl import __version__
from wsctl.errors import WsctlError
from wsctl.paths import make_private_dirs, state_dir


def runs_dir() -> Path:
    return state_dir() / "runs"


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _private_folder(folder: Path) -> None:
    make_private_dirs(folder)
    os.chmod(folder, 0o700)


def write_private(path: Path, text: str) -> Path:
    """Write a file only its owner can read (whatever the umask), in an owner-only folder."""
    _private_folder(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def _append(handle: IO[str], line: str) -> None:
    """One event, on disk before the next call goes out."""
    handle.write(line + "\n")
    handle.flush()
    os.fsync(handle.fileno())


def _new_file(folder: Path, name: str) -> tuple[Path, int]:
    """A file of its own for each run, even for two runs of one process in the same second."""
    for n in range(1000):
        path = folder / (f"{name}-{n}.jsonl" if n else f"{name}.jsonl")
        try:
            return path, os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "a thousand run records of one process in one second", str(folder))


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


class RunRecord:
    def __init__(self, command: str, argv: list[str], *, directory: Path | None = None, degrade: bool = False) -> None:
        folder = directory or runs_dir()
        self._degrade = degrade
        self._lock = threading.Lock()
        self.problem: str | None = None  # why later events were dropped, once writing failed
        self.events = 0
        try:
            _private_folder(folder)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            self.path, fd = _new_file(folder, f"{stamp}-{command}-{os.getpid()}")
            self._file = os.fdopen(fd, "a", encoding="utf-8")
            _append(self._file, self._line("start", command=command, argv=argv, version=__version__, pid=os.getpid()))
        except OSError as exc:
            where = exc.filename or folder
            raise WsctlError(
                f"cannot write the run record in {folder} ({where}: {_reason(exc)}); nothing was sent",
                hint="point XDG_STATE_HOME at a writable directory with free space: the run record keeps "
                "what a run did in case it is interrupted",
            ) from exc
        self.events = 1

    def _line(self, event: str, **data: Any) -> str:
        return json.dumps(
            {"event": event, "time": dt.datetime.now(dt.UTC).isoformat(), **data},
            default=_json_default,
            separators=(",", ":"),
        )

    def write(self, event: str, **data: Any) -> None:
        line = self._line(event, **data)
        with self._lock:
            if self._file.closed or self.problem is not None:
                return
            try:
                _append(self._file, line)
            except OSError as exc:
                if not self._degrade:
                    raise
                # A full disk must not stop the run or hide what it did: keep going without the record.
                self.problem = f"writing it failed after {self.events:,} events ({_reason(exc)})"
                return
            self.events += 1

    def close(self, **summary: Any) -> None:
        self.write("end", **summary)
        with self._lock:
            try:
                self._file.close()
            except OSError as exc:
                if not self._degrade:
                    raise
                self.problem = self.problem or f"closing it failed ({_reason(exc)})"

    def warning(self) -> str | None:
        """What to tell the user when the record is incomplete, or None."""
        if self.problem is None:
            return None
        return f"the run record {self.path} is incomplete: {self.problem}; the results printed here are complete"


def read_record(path: Path) -> list[dict[str, Any]]:
    """Events of a run record; a line cut short by a kill is skipped."""
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return events
