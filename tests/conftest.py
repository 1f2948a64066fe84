"""Every test runs with its own state and fake credentials: no real account, no user files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Environment that could point wsctl at a real account or change its behaviour.
_PREFIXES = ("AWS_", "WSCTL_", "XDG_", "_WSCTL_COMPLETE", "_TYPER_")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith(_PREFIXES):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("WSCTL_SANDBOX_DB", str(tmp_path / "sandbox.sqlite3"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATESTFAKEFAKEFAKE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret-fake-fake-fake-fake")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # Tests are not rate-limited unless they say so.
    monkeypatch.setenv("WSCTL_MAX_RATE", "1000")
    monkeypatch.setenv("WSCTL_BURST", "1000")
    monkeypatch.setenv("COLUMNS", "200")
    yield tmp_path
