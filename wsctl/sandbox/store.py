"""The sandbox's state: one SQLite file shared by every process and thread that uses it.

Several wsctl processes (`xargs -P4 wsctl --sandbox ...`) and the threaded HTTP server
write the same file at once, so: WAL mode (readers never block the writer), a generous
busy timeout, `BEGIN IMMEDIATE` for every transaction that writes (no lock upgrades, so
no "database is locked" half-way through), and one connection per thread.

The file seeds itself: the first transaction on a missing or empty database (or one
written by an older schema) creates the tables and the default seed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from wsctl.errors import WsctlError
from wsctl.sandbox.settings import ACCOUNT_ID, Settings

SCHEMA_VERSION = 4
BUSY_TIMEOUT_MS = 60_000

DB_ENV = "WSCTL_SANDBOX_DB"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE requests (operation TEXT PRIMARY KEY, count INTEGER NOT NULL);
CREATE TABLE bucket (id INTEGER PRIMARY KEY CHECK (id = 1), tokens REAL NOT NULL, stamp REAL NOT NULL);
CREATE TABLE directories (seq INTEGER PRIMARY KEY, directory_id TEXT NOT NULL UNIQUE, data TEXT NOT NULL);
CREATE TABLE users (
    directory_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    PRIMARY KEY (directory_id, user_name)
) WITHOUT ROWID;
CREATE TABLE bundles (
    seq INTEGER PRIMARY KEY,
    bundle_id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    outcome TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX bundles_by_owner ON bundles (owner, seq);
CREATE TABLE amis (seq INTEGER PRIMARY KEY, image_id TEXT NOT NULL UNIQUE, outcome TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE workspaces (
    seq INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL UNIQUE,
    directory_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    bundle_id TEXT NOT NULL,
    workspace_name TEXT,
    created REAL NOT NULL,
    visible_at REAL NOT NULL,
    ready_at REAL NOT NULL,
    outcome TEXT NOT NULL,
    terminating_until REAL,
    gone_at REAL,
    power TEXT,
    data TEXT NOT NULL,
    modification TEXT,
    failed_resources TEXT,
    tags TEXT
);
CREATE INDEX workspaces_by_directory ON workspaces (directory_id, seq);
CREATE INDEX workspaces_by_user ON workspaces (directory_id, user_name);
CREATE INDEX workspaces_by_bundle ON workspaces (bundle_id, seq);
CREATE INDEX workspaces_by_name ON workspaces (workspace_name, seq);
CREATE TABLE images (
    seq INTEGER PRIMARY KEY,
    image_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    owned INTEGER NOT NULL,
    ready_at REAL NOT NULL,
    outcome TEXT NOT NULL,
    data TEXT NOT NULL,
    tags TEXT
);
"""


class SandboxUnavailable(WsctlError):
    """The sandbox's database cannot be opened or read."""

    def __init__(self, path: Path, error: BaseException) -> None:
        broken = isinstance(error, sqlite3.DatabaseError)
        what = "is not a sandbox database" if broken else f"cannot be opened ({error})"
        super().__init__(
            f"the sandbox database {path} {what}",
            hint=(
                "`wsctl sandbox reset` replaces it"
                if broken
                else f"point {DB_ENV} at a writable file, or unset it to use the default place"
            ),
        )
        self.broken = broken


def default_db_path() -> Path:
    """`$WSCTL_SANDBOX_DB`, else `$XDG_STATE_HOME/wsctl/sandbox.sqlite3` (XDG default ~/.local/state)."""
    explicit = os.environ.get(DB_ENV, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    from wsctl.paths import state_dir

    return state_dir() / "sandbox.sqlite3"


class Store:
    """The SQLite file, with one connection per thread (and per process after a fork)."""

    def __init__(self, path: Path | str | None = None, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self.clock = clock
        self._local = threading.local()

    # --- connections ------------------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            return conn
        try:
            conn = self._open()
            self._ensure_schema(conn)
        except (OSError, sqlite3.DatabaseError) as exc:
            raise SandboxUnavailable(self.path, exc) from exc
        self._local.conn = conn
        self._local.pid = os.getpid()
        return conn

    def discard(self) -> None:
        """Delete the database file (and SQLite's side files), e.g. one that is not a database."""
        self.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _open(self) -> sqlite3.Connection:
        parent = self.path.parent
        if not parent.exists():
            parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(parent, 0o700)  # mkdir's mode is masked by the umask
        if not self.path.exists():
            # Created private before SQLite touches it; the -wal and -shm files copy its mode.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=True)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: taken with BEGIN IMMEDIATE, committed on success.

        Threads of one process queue on a lock first: SQLite's busy handler polls with
        sleeps of up to 100 ms, a lock wakes the next writer at once. Other processes
        still wait in the busy handler.
        """
        conn = self.connection()
        with _write_lock(self.path):
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: one consistent snapshot."""
        conn = self.connection()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    # --- schema and seed --------------------------------------------------------------------

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        if _is_ready(conn):
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            if not _is_ready(conn):  # another process may have seeded it while we waited
                self._recreate(conn, Settings())
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _recreate(self, conn: sqlite3.Connection, settings: Settings) -> None:
        from wsctl.sandbox.seed import seed

        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            if not table.startswith("sqlite_"):
                conn.execute(f'DROP TABLE "{table}"')
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        seed(conn, settings, self.clock())
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def reset(self, settings: Settings) -> None:
        """Recreate the whole state from `settings`: a new seed, counters at zero."""
        with self.write() as conn:
            self._recreate(conn, settings)

    # --- settings and counters --------------------------------------------------------------

    def settings(self, conn: sqlite3.Connection | None = None) -> Settings:
        conn = conn or self.connection()
        row = conn.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
        return Settings.from_json(row[0]) if row else Settings()

    def update_settings(self, **changes: Any) -> Settings:
        """Change settings without touching the state (tests use this between calls)."""
        with self.write() as conn:
            updated = replace(self.settings(conn), **changes)
            conn.execute("UPDATE meta SET value = ? WHERE key = 'settings'", (updated.to_json(),))
            if "rate_limit" in changes or "burst" in changes:
                conn.execute("UPDATE bucket SET tokens = ?, stamp = ?", (float(updated.burst), self.clock()))
        return updated

    def request_counts(self) -> dict[str, int]:
        """Requests received per API operation since the last reset (throttled ones included)."""
        with self.read() as conn:
            return {r[0]: r[1] for r in conn.execute("SELECT operation, count FROM requests ORDER BY operation")}

    def info(self) -> dict[str, Any]:
        """The seed, counters and settings, as `wsctl sandbox info -o json` shows them."""
        with self.read() as conn:
            settings = self.settings(conn)
            directories = []
            for row in conn.execute("SELECT directory_id, data FROM directories ORDER BY seq"):
                data = json.loads(row["data"])
                users = [
                    r[0]
                    for r in conn.execute(
                        "SELECT user_name FROM users WHERE directory_id = ? ORDER BY user_name", (row["directory_id"],)
                    )
                ]
                directories.append(
                    {
                        "DirectoryId": row["directory_id"],
                        "DirectoryName": data["DirectoryName"],
                        "DirectoryType": data["DirectoryType"],
                        "UserNames": users,
                    }
                )
            bundles = []
            for row in conn.execute("SELECT outcome, data FROM bundles ORDER BY seq"):
                data = json.loads(row["data"])
                bundles.append(
                    {
                        "BundleId": data["BundleId"],
                        "Name": data["Name"],
                        "Owner": data["Owner"],
                        "ComputeType": data["ComputeType"]["Name"],
                        "RootVolumeSizeGib": int(data["RootStorage"]["Capacity"]),
                        "UserVolumeSizeGib": int(data["UserStorage"]["Capacity"]),
                        "SandboxOutcome": row["outcome"],
                    }
                )
            amis = []
            for row in conn.execute("SELECT outcome, data FROM amis ORDER BY seq"):
                amis.append({**json.loads(row["data"]), "SandboxOutcome": row["outcome"]})
            requests = {r[0]: r[1] for r in conn.execute("SELECT operation, count FROM requests ORDER BY operation")}
            workspaces = conn.execute("SELECT count(*) FROM workspaces WHERE gone_at IS NULL").fetchone()[0]
            images = conn.execute("SELECT count(*) FROM images WHERE owned = 1").fetchone()[0]
        return {
            "Directories": directories,
            "Bundles": bundles,
            "Ec2Images": amis,
            "Requests": requests,
            "Counts": {"Workspaces": workspaces, "OwnedImages": images},
            "Settings": {
                "TimeScale": settings.time_scale,
                "RateLimit": settings.rate_limit,
                "Burst": settings.burst,
                "ThrottleRate": settings.throttle_rate,
                "ServerErrorRate": settings.server_error_rate,
                "LostResponseRate": settings.lost_response_rate,
                "Seed": settings.seed,
                "Core": settings.core,
                "ImageLimit": settings.image_limit,
                "Users": settings.users,
                "AccountId": ACCOUNT_ID,
                "Database": str(self.path),
            },
        }


_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(path: Path) -> threading.Lock:
    key = os.path.realpath(path)
    with _WRITE_LOCKS_GUARD:
        lock = _WRITE_LOCKS.get(key)
        if lock is None:
            lock = _WRITE_LOCKS[key] = threading.Lock()
        return lock


def _is_ready(conn: sqlite3.Connection) -> bool:
    if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
        return False
    try:
        return conn.execute("SELECT 1 FROM meta WHERE key = 'settings'").fetchone() is not None
    except sqlite3.OperationalError:
        return False


def next_counter(conn: sqlite3.Connection, key: str) -> int:
    """Increment and return a named counter kept in `meta` (inside the caller's transaction)."""
    row = conn.execute(
        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = ? RETURNING value", (key,)
    ).fetchone()
    if row is None:
        conn.execute("INSERT INTO meta (key, value) VALUES (?, '1')", (key,))
        return 1
    return int(row[0])
