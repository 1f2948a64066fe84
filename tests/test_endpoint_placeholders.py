"""A loopback --endpoint-url (a `wsctl sandbox serve`) works on a machine with no AWS configuration.

wsctl then uses placeholder credentials and Region, and says so in one line; a real
endpoint keeps the usual errors.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import sandbox_support as sb
from tests.helpers import wsctl

NOTE = "configured: using "


@pytest.fixture
def fresh_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """No AWS credentials or Region anywhere (the autouse fixture's empty HOME has no ~/.aws files)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name)


def note_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if NOTE in line]


def test_a_fresh_machine_uses_placeholders_for_a_served_sandbox_and_says_so_once(fresh_machine):
    sb.make_fleet(2)
    with sb.served("--quiet") as (url, _):
        run = wsctl("--endpoint-url", url, "describe", "-o", "ids")
    assert run.exit_code == 0, run.stderr
    assert len(run.stdout.split()) == 2
    assert run.stderr.splitlines() == [
        f"No AWS credentials or Region configured: using placeholder keys and Region us-east-1 "
        f"for the local endpoint {url}, which accepts any."
    ]


@pytest.mark.parametrize(
    ("args", "env", "said"),
    [
        (("--region", "eu-west-1"), {}, "No AWS credentials configured: using placeholder keys for the local"),
        ((), {"AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": "x"}, "No AWS Region configured: "),
        (("--region", "eu-west-1"), {"AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": "x"}, None),
    ],
    ids=["region only", "credentials only", "both"],
)
def test_only_what_is_missing_is_a_placeholder(fresh_machine, monkeypatch, args, env, said):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sb.reset()
    with sb.served("--quiet") as (url, _):
        run = wsctl("--endpoint-url", url, *args, "describe", "-o", "ids")
    assert run.exit_code == 0, run.stderr
    if said is None:
        assert note_lines(run.stderr) == []
    else:
        assert len(note_lines(run.stderr)) == 1 and said in run.stderr


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("LocalHost", True),
        ("[::1]", True),
        ("192.0.2.10", False),
        ("localhost.example.com", False),
        ("workspaces.us-east-1.amazonaws.com", False),
    ],
)
def test_only_loopback_names_count(host, loopback):
    from wsctl.aws.clients import is_loopback_endpoint

    assert is_loopback_endpoint(f"http://{host}:4599") is loopback


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "No AWS Region is set"),
        (("--region", "us-east-1"), "No AWS credentials were found"),
    ],
)
def test_a_real_endpoint_gets_no_placeholders(fresh_machine, args, message):
    # 192.0.2.10 is TEST-NET-1: nothing answers; both errors come before any connection.
    run = wsctl("--endpoint-url", "http://192.0.2.10:4599", *args, "describe")
    assert run.exit_code == 1
    assert message in run.stderr
    assert note_lines(run.stderr) == []


def test_the_readme_serve_example_on_a_fresh_home(tmp_path: Path):
    """As a new user runs it: a new HOME, no AWS variables at all, wsctl as a process."""
    home = tmp_path / "fresh-home"
    home.mkdir()
    sb.make_fleet(1)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "XDG_"))}
    with sb.served("--quiet") as (url, _):
        proc = subprocess.run(
            [sys.executable, "-m", "wsctl", "--endpoint-url", url, "describe", "-o", "ids"],
            env={**clean, "HOME": str(home)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ws-")
    assert len(note_lines(proc.stderr)) == 1
    assert "placeholder keys and Region us-east-1" in proc.stderr
