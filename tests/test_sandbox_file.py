"""The sandbox file: wsctl changes only a file it recognises as its own sandbox.

A missing or empty file is created and seeded. A sandbox of the previous schema is
upgraded in place, keeping its WorkSpaces; an unmarked sandbox (as wsctl wrote them before
the marker) is recognised by its tables and schema version. Anything else (another
program's SQLite file, bytes that are not SQLite, a sandbox of a version this wsctl cannot
read) is refused with the file's name, exit 1, and left byte for byte as it was;
`wsctl sandbox reset` replaces a sandbox of any version, and anything else only with
--force. A read-only file or directory is named as read-only.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests import sandbox_support as sb
from tests.helpers import wsctl
from wsctl.sandbox.store import APPLICATION_ID, SCHEMA_VERSION, SandboxUnavailable, Store


def _db() -> Path:
    return Path(os.environ["WSCTL_SANDBOX_DB"])


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _side_files(path: Path) -> list[Path]:
    return [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")) if p.exists()]


def _foreign(path: Path) -> None:
    """Another program's SQLite file (rollback journal, as most are)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('keep me')")
    conn.execute("PRAGMA user_version = 4")  # the same number as a sandbox: not what makes it one
    conn.commit()
    conn.close()


def _sandbox_with_a_workspace() -> str:
    """A sandbox (as wsctl writes it) holding one WorkSpace: its ID."""
    seed = sb.reset("--time-scale", "0")
    answer = sb.client().create_workspaces(Workspaces=[sb.request(seed, "user0001")])
    Store().close()
    return str(answer["PendingRequests"][0]["WorkspaceId"])


def _edit(path: Path, *statements: str) -> None:
    """Change a sandbox file behind wsctl's back (WAL checkpointed, so the main file has it all)."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _described(workspace_id: str) -> list[str]:
    run = wsctl("--sandbox", "describe", "--id", workspace_id, "-o", "ids")
    assert run.exit_code == 0, run.stderr
    return run.stdout.split()


def _refused(*args: str) -> str:
    run = wsctl(*args)
    assert run.exit_code == 1, (args, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr and "unexpected" not in run.stderr
    assert str(_db()) in run.stderr
    return run.stderr


# --- created and seeded --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["missing", "zero-bytes", "sqlite-without-tables"])
def test_a_missing_or_empty_file_is_created_and_seeded(kind):
    path = _db()
    if kind == "zero-bytes":
        path.write_bytes(b"")
    elif kind == "sqlite-without-tables":
        conn = sqlite3.connect(path)
        conn.execute("VACUUM")  # a valid database file with no tables
        conn.close()
    run = wsctl("--sandbox", "describe", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json() == {"Workspaces": []}
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_state_directories_the_store_creates_are_private(monkeypatch, tmp_path):
    monkeypatch.delenv("WSCTL_SANDBOX_DB")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "a" / "b"))
    old = os.umask(0o022)
    try:
        assert wsctl("--sandbox", "describe").exit_code == 0
    finally:
        os.umask(old)
    for created in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "wsctl"):
        assert stat.S_IMODE(created.stat().st_mode) == 0o700, created
    assert stat.S_IMODE((tmp_path / "a" / "b" / "wsctl" / "sandbox.sqlite3").stat().st_mode) == 0o600


# --- recognised and kept -------------------------------------------------------------------------


def test_a_sandbox_written_before_the_marker_is_recognised_and_keeps_its_workspaces():
    workspace_id = _sandbox_with_a_workspace()
    _edit(_db(), "PRAGMA application_id = 0")
    assert _described(workspace_id) == [workspace_id]
    conn = sqlite3.connect(_db())
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID  # marked from now on
    conn.close()


def test_a_sandbox_of_schema_3_is_upgraded_in_place_and_keeps_its_workspaces():
    workspace_id = _sandbox_with_a_workspace()
    # Schema 3 had no `power` column, and no marker.
    _edit(_db(), "ALTER TABLE workspaces DROP COLUMN power", "PRAGMA user_version = 3", "PRAGMA application_id = 0")
    assert _described(workspace_id) == [workspace_id]
    stop = sb.client().stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": workspace_id}])
    assert stop["FailedRequests"] == []
    [workspace] = sb.client().describe_workspaces(WorkspaceIds=[workspace_id])["Workspaces"]
    assert workspace["State"] in ("STOPPING", "STOPPED")  # the added column is written and read
    conn = sqlite3.connect(_db())
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_a_sandbox_missing_its_settings_keeps_its_workspaces():
    workspace_id = _sandbox_with_a_workspace()
    _edit(_db(), "DELETE FROM meta WHERE key = 'settings'", "DELETE FROM bucket")
    assert _described(workspace_id) == [workspace_id]
    assert sb.info()["Settings"]["Users"] == 50  # the defaults, written back
    assert wsctl("sandbox", "reset", "--rate-limit", "5").exit_code == 0


# --- refused and left untouched -------------------------------------------------------------------


def test_another_programs_sqlite_file_is_refused_and_left_as_it_was():
    path = _db()
    _foreign(path)
    before = _digest(path)
    for args in (("--sandbox", "describe"), ("sandbox", "info", "-o", "json"), ("sandbox", "reset")):
        stderr = _refused(*args)
        assert "is not a wsctl sandbox" in stderr
        assert "--force" in stderr and "WSCTL_SANDBOX_DB" in stderr
    assert _digest(path) == before and _side_files(path) == []
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT text FROM notes").fetchall() == [("keep me",)]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_serve_refuses_another_programs_file_before_listening():
    _foreign(_db())
    before = _digest(_db())
    # A subprocess with a time limit: a serve that does not refuse would serve forever.
    run = subprocess.run(
        [sys.executable, "-m", "wsctl", "sandbox", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        env=dict(os.environ),
    )
    assert run.returncode == 1 and run.stdout == ""
    assert str(_db()) in run.stderr and "is not a wsctl sandbox" in run.stderr
    assert _digest(_db()) == before


def test_reset_force_replaces_another_programs_file():
    _foreign(_db())
    run = wsctl("sandbox", "reset", "--force", "--users", "3")
    assert run.exit_code == 0, run.stderr
    assert "is not a wsctl sandbox" in run.stderr and "replaced it with a new sandbox (--force)" in run.stderr
    assert len(sb.primary_directory(sb.info())["UserNames"]) == 3
    assert wsctl("--sandbox", "describe").exit_code == 0


def test_bytes_that_are_not_sqlite_are_refused_and_reset_needs_force():
    path = _db()
    path.write_bytes(os.urandom(3000))
    before = _digest(path)
    for args in (("--sandbox", "describe"), ("sandbox", "reset")):
        stderr = _refused(*args)
        assert "is not an SQLite database" in stderr and "--force" in stderr
    assert _digest(path) == before and _side_files(path) == []
    run = wsctl("sandbox", "reset", "--force")
    assert run.exit_code == 0, run.stderr
    assert wsctl("--sandbox", "describe").exit_code == 0


def test_a_sandbox_of_a_newer_schema_is_refused_and_reset_replaces_it():
    workspace_id = _sandbox_with_a_workspace()
    _edit(_db(), f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = _digest(_db())
    stderr = _refused("--sandbox", "describe")
    assert "newer wsctl" in stderr and "wsctl sandbox reset" in stderr
    assert _digest(_db()) == before
    run = wsctl("sandbox", "reset")  # it is ours: no --force needed
    assert run.exit_code == 0, run.stderr
    assert _described(workspace_id) == []


def test_a_sandbox_too_old_to_upgrade_is_refused_with_the_command_that_starts_afresh():
    _sandbox_with_a_workspace()
    _edit(_db(), "PRAGMA user_version = 2", "PRAGMA application_id = 0")
    before = _digest(_db())
    stderr = _refused("--sandbox", "describe")
    assert "schema version 2" in stderr and "`wsctl sandbox reset`" in stderr
    assert _digest(_db()) == before
    assert wsctl("sandbox", "reset").exit_code == 0
    assert wsctl("--sandbox", "describe").exit_code == 0


def test_a_damaged_sandbox_is_named_and_reset_replaces_it():
    _sandbox_with_a_workspace()
    path = _db()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xa5" * (4096 - 100)  # the schema page: gone; the header and its marker: kept
    path.write_bytes(bytes(data))
    stderr = _refused("--sandbox", "describe")
    assert "damaged" in stderr and "wsctl sandbox reset" in stderr
    run = wsctl("sandbox", "reset")
    assert run.exit_code == 0, run.stderr
    assert wsctl("--sandbox", "describe").exit_code == 0


def test_a_file_that_merely_looks_like_a_sandbox_is_not_one():
    conn = sqlite3.connect(_db())
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO meta VALUES ('settings', '{}')")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.commit()
    conn.close()
    before = _digest(_db())
    assert "is not a wsctl sandbox" in _refused("--sandbox", "describe")
    assert _digest(_db()) == before


def test_the_store_refuses_without_the_cli_too():
    _foreign(_db())
    with pytest.raises(SandboxUnavailable) as caught:
        Store().info()
    assert str(_db()) in caught.value.message and caught.value.hint
    assert not caught.value.ours


# --- read-only ------------------------------------------------------------------------------------


@contextmanager
def _read_only(path: Path) -> Iterator[None]:
    """Make a file or directory read-only, even for root (who ignores permission bits)."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a file read-only for root here (chattr +i)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_read_only_sandbox_file_is_named_read_only():
    workspace_id = _sandbox_with_a_workspace()
    with _read_only(_db()):
        for args in (("--sandbox", "describe"), ("sandbox", "reset")):
            stderr = _refused(*args)
            assert "read-only" in stderr
    assert _described(workspace_id) == [workspace_id]


def test_a_read_only_directory_is_named_read_only(monkeypatch, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    monkeypatch.setenv("WSCTL_SANDBOX_DB", str(folder / "sandbox.sqlite3"))
    with _read_only(folder):
        stderr = _refused("--sandbox", "describe")
        assert "read-only" in stderr and str(folder) in stderr
    assert wsctl("--sandbox", "describe").exit_code == 0
