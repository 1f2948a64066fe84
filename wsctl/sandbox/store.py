"""The sandbox's state: one SQLite file shared by every process and thread that uses it.

Several wsctl processes (`xargs -P4 wsctl --sandbox ...`) and the threaded HTTP server
write the same file at once, so: WAL mode (readers never block the writer), a generous
busy timeout, `BEGIN IMMEDIATE` for every transaction that writes (no lock upgrades, so
no "database is locked" half-way through), and one connection per thread.

wsctl changes only a file it recognises as its own: one with its marker (`PRAGMA
application_id`), or, written before the marker, one with a sandbox's tables and a
schema version (`PRAGMA user_version`). A missing or empty file is created and seeded;
a sandbox of an older schema is upgraded in place where a migration exists. Anything
else (another program's database, bytes that are not SQLite, a sandbox this wsctl cannot
read) is refused with `SandboxUnavailable` before a byte of it is written: recognising a
file only reads it, and WAL mode is switched on only once the file is known to be ours.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any

from wsctl.errors import WsctlError
from wsctl.sandbox.settings import ACCOUNT_ID, Settings

# Bumping it: add to _MIGRATIONS the statements that take the previous version to this one
# (additive changes: ALTER TABLE ... ADD COLUMN, CREATE TABLE), or files of the previous
# version are refused and `wsctl sandbox reset` starts them afresh.
SCHEMA_VERSION = 4
# wsctl's marker in the database header (PRAGMA application_id): "wsct".
APPLICATION_ID = int.from_bytes(b"wsct", "big")
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


_ELSEWHERE = f"point {DB_ENV} at another file (or unset it to use the default place)"

# Upgrades in place: the statements that take a sandbox of schema version N to N + 1. A
# version with no entry here (and every one before it) cannot be upgraded: such a file is
# refused, and `wsctl sandbox reset` starts afresh.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    3: ("ALTER TABLE workspaces ADD COLUMN power TEXT",),  # 4: StopWorkspaces/StartWorkspaces
}
# Tables every sandbox has had since schema version 3: with `meta`'s key and value columns
# and a schema version, they recognise a sandbox written before the marker.
_CORE_TABLES = frozenset(
    {"meta", "requests", "bucket", "directories", "users", "bundles", "amis", "workspaces", "images"}
)

_SQLITE_MAGIC = b"SQLite format 3\x00"
# SQLite's primary result codes (sqlite3.Error.sqlite_errorcode & 0xff).
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26
_TRANSIENT = (_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_IOERR, _SQLITE_CANTOPEN, _SQLITE_READONLY, _SQLITE_PERM)


class SandboxUnavailable(WsctlError):
    """The sandbox file cannot be used as it is; wsctl has not changed it.

    `ours`: the file is a wsctl sandbox (of a schema version this wsctl cannot read, or
    damaged), so `wsctl sandbox reset` may replace it; anything else only `reset --force` replaces.
    """

    def __init__(self, path: Path, problem: str, *, hint: str, ours: bool = False, read_only: bool = False) -> None:
        super().__init__(f"the sandbox database {path} {problem}", hint=hint)
        self.path = path
        self.ours = ours
        self.read_only = read_only


def _not_ours(path: Path, what: str) -> SandboxUnavailable:
    return SandboxUnavailable(
        path,
        f"{what}; wsctl left it as it was",
        hint=f"{_ELSEWHERE}, or replace it with a new sandbox: `wsctl sandbox reset --force` (what it holds is lost)",
    )


def _ours_but(path: Path, problem: str, remedy: str = "") -> SandboxUnavailable:
    fresh = "start afresh with `wsctl sandbox reset` (its WorkSpaces are lost)"
    return SandboxUnavailable(
        path,
        f"{problem}; wsctl left it as it was",
        hint=f"{remedy + ', ' if remedy else ''}{fresh}, or {_ELSEWHERE}",
        ours=True,
    )


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
        """This thread's connection to a sandbox file that is ready for use (seeded, upgraded)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            return conn
        conn = self._connect()
        try:
            self._ensure_schema(conn)
        except BaseException:
            conn.close()
            raise
        self._local.conn = conn
        self._local.pid = os.getpid()
        return conn

    def discard(self) -> None:
        """Delete the database file and SQLite's side files (only for a file `reset` may replace)."""
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _connect(self) -> sqlite3.Connection:
        """A connection to the file, created empty (and private) if missing; nothing is written to it."""
        try:
            _make_private_dirs(self.path.parent)
            if not self.path.exists():
                # Created private before SQLite touches it; the -wal and -shm files copy its mode.
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=True
            )
        except OSError as exc:
            raise self._read_only_problem() or self._cannot_open(exc.strerror or str(exc)) from exc
        except sqlite3.Error as exc:
            raise self._sqlite_problem(exc) from exc
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return conn

    def _take_over(self, conn: sqlite3.Connection) -> None:
        """Settings wsctl makes on a file it has recognised as its own (or empty); they write to it."""
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")

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
        with _write_lock(self.path), self._transaction(conn):
            yield conn

    @contextmanager
    def _transaction(self, conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if _error_code(exc) != _SQLITE_READONLY:
                raise
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise self._read_only_problem() or self._read_only(str(exc)) from exc

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: one consistent snapshot."""
        conn = self.connection()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    # --- recognising the file -----------------------------------------------------------------

    def _inspect(self, conn: sqlite3.Connection) -> Found:
        try:
            return _inspect(conn, self.path)
        except sqlite3.Error as exc:
            raise self._sqlite_problem(exc) from exc

    def _refuse(self, found: Found) -> None:
        """Raise SandboxUnavailable unless `found` is empty or a sandbox this wsctl can use or upgrade."""
        if found.kind in (Kind.NOT_SQLITE, Kind.FOREIGN):
            raise _not_ours(self.path, found.what)
        if found.kind is Kind.DAMAGED:
            raise _ours_but(self.path, f"is a wsctl sandbox, but damaged ({found.what})")
        if found.kind is Kind.SANDBOX and found.version > SCHEMA_VERSION:
            raise _ours_but(
                self.path,
                f"was written by a newer wsctl (schema version {found.version}; this wsctl reads up to "
                f"{SCHEMA_VERSION})",
                "upgrade wsctl",
            )
        oldest = _upgradable_from()
        if found.kind is Kind.SANDBOX and found.version < oldest:
            raise _ours_but(
                self.path,
                f"has schema version {found.version}, which this wsctl cannot upgrade (it upgrades "
                f"{'from version ' + str(oldest) if oldest < SCHEMA_VERSION else 'no older version'} to "
                f"{SCHEMA_VERSION})",
            )

    def _read_only(self, detail: str) -> SandboxUnavailable:
        return SandboxUnavailable(
            self.path,
            f"is read-only ({detail}): every sandbox command writes to it",
            hint=f"make it writable, or {_ELSEWHERE}",
            read_only=True,
        )

    def _read_only_problem(self) -> SandboxUnavailable | None:
        """Why the file cannot be written, if a permission or a read-only file system says so."""
        if self.path.exists():
            if not os.access(self.path, os.W_OK):
                return SandboxUnavailable(
                    self.path,
                    "is read-only: every sandbox command writes to it (request counters, WorkSpaces)",
                    hint=f"make it writable (chmod u+w {self.path}), or {_ELSEWHERE}",
                    read_only=True,
                )
        directory = self.path.parent
        while not directory.exists() and directory != directory.parent:
            directory = directory.parent
        if directory.is_dir() and not os.access(directory, os.W_OK | os.X_OK):
            needs = (
                "SQLite writes its -wal and -shm files beside the database"
                if directory == self.path.parent and self.path.exists()
                else "the sandbox database cannot be created there"
            )
            return SandboxUnavailable(
                self.path,
                f"is in a read-only directory, {directory}: {needs}",
                hint=f"make {directory} writable, or {_ELSEWHERE}",
                read_only=True,
            )
        return None

    def _cannot_open(self, detail: str) -> SandboxUnavailable:
        return SandboxUnavailable(self.path, f"cannot be opened ({detail})", hint=f"check the path, or {_ELSEWHERE}")

    def _sqlite_problem(self, exc: sqlite3.Error) -> SandboxUnavailable:
        if _error_code(exc) in (_SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_PERM):
            problem = self._read_only_problem()
            if problem is not None:
                return problem
        if _error_code(exc) == _SQLITE_READONLY:
            return self._read_only(str(exc))
        return self._cannot_open(str(exc))

    # --- schema and seed --------------------------------------------------------------------

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        """Use the file if it is a sandbox, upgrade or seed it if it is an older one or empty, else refuse."""
        found = self._inspect(conn)
        self._refuse(found)
        problem = self._read_only_problem()
        if problem is not None:
            raise problem
        self._take_over(conn)
        if found.ready:
            return
        with _write_lock(self.path), self._transaction(conn):
            found = self._inspect(conn)  # another process may have seeded or upgraded it meanwhile
            self._refuse(found)
            if found.kind is Kind.EMPTY:
                self._recreate(conn, Settings())
            elif not found.ready:
                self._upgrade(conn, found)

    def _upgrade(self, conn: sqlite3.Connection, found: Found) -> None:
        """Bring a recognised sandbox to the current schema and mark it, keeping what it holds."""
        for version in range(found.version, SCHEMA_VERSION):
            for statement in _MIGRATIONS[version]:
                conn.execute(statement)
        if not found.settings:  # lost somehow: the defaults, rather than losing the WorkSpaces
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('settings', ?)", (Settings().to_json(),))
        if not found.bucket:
            burst = float(self.settings(conn).burst)
            conn.execute("INSERT OR REPLACE INTO bucket (id, tokens, stamp) VALUES (1, ?, ?)", (burst, self.clock()))
        _stamp(conn)

    def _recreate(self, conn: sqlite3.Connection, settings: Settings) -> None:
        from wsctl.sandbox.seed import seed

        objects = conn.execute("SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger', 'table')")
        for kind, name in sorted(objects.fetchall(), key=lambda o: ("view", "trigger", "table").index(o[0])):
            if not name.startswith("sqlite_"):
                conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        seed(conn, settings, self.clock())
        _stamp(conn)

    def reset(self, settings: Settings, *, force: bool = False) -> str | None:
        """Recreate the whole state from `settings`: a new seed, counters at zero.

        Only a sandbox file (of any schema version, even a damaged one) is replaced, or with
        `force` any file. Returns what the file was when it was not a sandbox, else None.
        """
        self.close()
        conn = self._connect()
        try:
            found = self._inspect(conn)
            replaced = found.what if found.kind in (Kind.NOT_SQLITE, Kind.FOREIGN) else None
            if replaced is not None and not force:
                self._refuse(found)
            problem = self._read_only_problem()
            if problem is not None:
                raise problem
            if found.kind in (Kind.NOT_SQLITE, Kind.FOREIGN, Kind.DAMAGED):
                conn.close()
                self.discard()
                conn = self._connect()
            self._take_over(conn)
            with _write_lock(self.path), self._transaction(conn):
                self._recreate(conn, settings)
        finally:
            conn.close()
        return replaced

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
        """The seed, counters and settings, as `wsctl sandbox info -o json` shows them.

        Each directory's `UserNames` are its ordinary users; the seeded users that inject
        failures (`seed.FAULT_USERS`) are apart, in `FaultUsers` (name -> what it makes
        happen), so `Settings.Users` is the number of the first directory's `UserNames`.
        """
        from wsctl.sandbox.seed import FAULT_USERS
        from wsctl.sandbox.usage import cycle_info, profiles_info

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
                        "UserNames": [u for u in users if u not in FAULT_USERS],
                        "FaultUsers": {u: FAULT_USERS[u] for u in users if u in FAULT_USERS},
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
            # Each seeded user's usage (sandbox.usage): profile and connected hours in 30 days.
            "UsageProfiles": profiles_info([u for d in directories for u in (*d["UserNames"], *d["FaultUsers"])]),
            "UsageProfileCycle": cycle_info(),
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
                "UsageDays": settings.usage_days,
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


class Kind(Enum):
    EMPTY = "empty"  # no tables at all (or a missing file, just created): seeded
    SANDBOX = "sandbox"  # wsctl's, of some schema version
    DAMAGED = "damaged"  # wsctl's marker in the header, but not readable as a sandbox
    FOREIGN = "foreign"  # an SQLite database that is not a wsctl sandbox
    NOT_SQLITE = "not-sqlite"


@dataclass(frozen=True)
class Found:
    """What a database file turned out to be, read without changing it."""

    kind: Kind
    what: str = ""  # for the messages: what the file is, or what is wrong with it
    version: int = 0
    marked: bool = False
    settings: bool = False
    bucket: bool = False

    @property
    def ready(self) -> bool:
        return (
            self.kind is Kind.SANDBOX
            and self.marked
            and self.version == SCHEMA_VERSION
            and self.settings
            and self.bucket
        )


def _inspect(conn: sqlite3.Connection, path: Path) -> Found:
    """Recognise the file by its marker, or (written before the marker) by its tables and schema version."""
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        objects = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
    except sqlite3.DatabaseError as exc:
        if _error_code(exc) not in (_SQLITE_NOTADB, _SQLITE_CORRUPT):
            raise
        return _inspect_header(path, exc)
    marked = application_id == APPLICATION_ID
    if application_id not in (0, APPLICATION_ID):
        return Found(Kind.FOREIGN, f"is not a wsctl sandbox (its application_id is {application_id:#x}, not wsctl's)")
    if not objects:
        return Found(Kind.EMPTY)
    tables = sorted(name for kind, name in objects if kind == "table" and not name.startswith("sqlite_"))
    missing = sorted(_CORE_TABLES - set(tables))
    try:
        if not marked:
            meta_columns = {r[1] for r in conn.execute("PRAGMA table_info(meta)")}
            if missing or version < 1 or not {"key", "value"} <= meta_columns:
                return Found(Kind.FOREIGN, f"is not a wsctl sandbox ({_tables_text(tables)})")
        elif missing:
            return Found(Kind.DAMAGED, f"its table{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing")
        settings = conn.execute("SELECT 1 FROM meta WHERE key = 'settings'").fetchone() is not None
        bucket = conn.execute("SELECT 1 FROM bucket WHERE id = 1").fetchone() is not None
    except sqlite3.DatabaseError as exc:
        if _error_code(exc) in _TRANSIENT:
            raise
        if marked:
            return Found(Kind.DAMAGED, str(exc))
        return Found(Kind.FOREIGN, f"is not a wsctl sandbox ({_tables_text(tables)}; {exc})")
    return Found(Kind.SANDBOX, version=version, marked=marked, settings=settings, bucket=bucket)


def _inspect_header(path: Path, error: sqlite3.DatabaseError) -> Found:
    """A file SQLite cannot read: its first 100 bytes tell whether wsctl wrote it."""
    try:
        with open(path, "rb") as file:
            header = file.read(100)
    except OSError:
        header = b""
    if header.startswith(_SQLITE_MAGIC) and int.from_bytes(header[68:72], "big") == APPLICATION_ID:
        return Found(Kind.DAMAGED, str(error))
    if header.startswith(_SQLITE_MAGIC):
        return Found(Kind.FOREIGN, f"is a damaged SQLite database without wsctl's marker ({error})")
    return Found(Kind.NOT_SQLITE, "is not an SQLite database (so not a wsctl sandbox)")


def _tables_text(tables: list[str]) -> str:
    if not tables:
        return "an SQLite database without tables of wsctl's"
    shown = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
    return f"an SQLite database with the table{'s' if len(tables) > 1 else ''} {shown}"


def _stamp(conn: sqlite3.Connection) -> None:
    """Mark the file as a wsctl sandbox of the current schema (inside the caller's transaction)."""
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _upgradable_from() -> int:
    """The oldest schema version with an unbroken chain of migrations up to the current one."""
    version = SCHEMA_VERSION
    while version - 1 in _MIGRATIONS:
        version -= 1
    return version


def _error_code(exc: BaseException) -> int:
    return int(getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def _make_private_dirs(directory: Path) -> None:
    """Create `directory` and any missing parents, each 0700 whatever the umask."""
    missing = []
    while not directory.exists() and directory != directory.parent:
        missing.append(directory)
        directory = directory.parent
    for created in reversed(missing):
        try:
            created.mkdir(mode=0o700)
        except FileExistsError:
            continue  # another process made it first
        os.chmod(created, 0o700)  # mkdir's mode is masked by the umask


def next_counter(conn: sqlite3.Connection, key: str) -> int:
    """Increment and return a named counter kept in `meta` (inside the caller's transaction)."""
    row = conn.execute(
        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = ? RETURNING value", (key,)
    ).fetchone()
    if row is None:
        conn.execute("INSERT INTO meta (key, value) VALUES (?, '1')", (key,))
        return 1
    return int(row[0])
