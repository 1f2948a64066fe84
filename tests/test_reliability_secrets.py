"""--debug never shows credentials or signatures, and run records are the owner's alone.

The sandbox's own client signs with dummy keys, so a test on `--sandbox` proves little.
Here every command runs as a subprocess against `wsctl sandbox serve` through a small
recording proxy, signing with credentials from the environment (key, secret, session
token): the proxy keeps every Authorization header, so the test knows the exact
signatures that went over the wire and looks for each of them (and the secret and the
token) in every byte wsctl printed or wrote. Faults make botocore retry, so the retry
lines of --debug are covered too; an unreachable endpoint covers the traceback --debug
prints. Everything runs under umask 000, so the permissions are wsctl's own doing.
"""

from __future__ import annotations

import http.client
import os
import re
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests import sandbox_support as sb
from wsctl.ops.runrecord import runs_dir
from wsctl.sandbox.store import Store

KEY_ID = "AKIARELIABILITY00001"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYRELIABILITYKEY"
TOKEN = "IQoJb3JpZ2luX2VjEHYaCXVzLWVhc3QtMSJHMEUCIQRELIABILITYSESSIONTOKEN" + "x" * 300


@contextmanager
def recording_proxy(target: str) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """An HTTP proxy in front of `target` that keeps the headers of every request."""
    seen: list[dict[str, str]] = []
    parts = urlsplit(target)
    host, port = parts.hostname or "127.0.0.1", parts.port

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append(dict(self.headers.items()))
            upstream = http.client.HTTPConnection(host, port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            upstream.request("POST", self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            upstream.close()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(AWS_ACCESS_KEY_ID=KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET, AWS_SESSION_TOKEN=TOKEN)
    return env


def _wsctl(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wsctl", "--debug", "--endpoint-url", url, *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=_env(),
        timeout=120,
        preexec_fn=lambda: os.umask(0),  # noqa: PLW1509 - the child only
    )


def _fleet(tmp_path: Path, seed: dict[str, Any], users: list[str], name: str) -> str:
    path = tmp_path / name
    path.write_text(
        "defaults:\n"
        f"  directory_id: {sb.primary_directory(seed)['DirectoryId']}\n"
        f"  bundle_id: {sb.bundle_id(seed)}\n"
        "  tags: {owner: reliability}\n"
        "workspaces:\n" + "".join(f"  - user: {u}\n" for u in users)
    )
    return str(path)


def test_debug_output_and_run_records_never_hold_a_secret_or_a_signature(tmp_path):
    seed = sb.reset("--time-scale", "0", "--throttle-rate", "0.2", "--server-error-rate", "0.1", "--seed", "4")
    outputs: list[subprocess.CompletedProcess[str]] = []
    with sb.served("--quiet") as (served, _), recording_proxy(served) as (url, seen):
        first = _wsctl(url, "create", "-f", _fleet(tmp_path, seed, ["user0001", "user0002"], "a.yaml"), "--yes")
        outputs.append(first)
        assert first.returncode == 0, first.stderr[-2000:]
        ids = re.findall(r"ws-[0-9a-z]{9}", first.stdout)
        outputs += [
            _wsctl(url, "describe", "-o", "json", "--wait", "--poll-interval", "0.05"),
            _wsctl(url, "set-mode", ids[0], "--running-mode", "ALWAYS_ON", "--yes", "--wait", "--poll-interval", "0.1"),
            _wsctl(url, "modify", "-", "--compute-type", "POWER", "--yes", "-o", "yaml", stdin=ids[1] + "\n"),
            _wsctl(
                url,
                "import-image",
                "--ec2-image-id",
                sb.ami_id(seed),
                "--ingestion-process",
                "BYOL_REGULAR_WSP",
                "--name",
                "golden",
                "--description",
                "Golden image",
                "--wait",
                "--poll-interval",
                "0.05",
            ),
            _wsctl(url, "describe-images", "-o", "json"),
            _wsctl(url, "create", "--directory-id", "d-0000000000", "--bundle-id", sb.bundle_id(seed), "--user", "x"),
        ]
        # A wait that times out with more than ten pending writes the pending IDs next to the records.
        Store().update_settings(time_scale=100.0)
        users = [f"user{n:04d}" for n in range(10, 22)]
        outputs.append(
            _wsctl(url, "create", "-f", _fleet(tmp_path, seed, users, "b.yaml"), "--yes", "--wait", "--timeout", "0.3")
        )
    outputs.append(_wsctl("http://127.0.0.1:9", "describe"))  # unreachable: --debug prints a traceback
    codes = [p.returncode for p in outputs]
    assert codes == [0, 0, 0, 0, 0, 0, 3, 4, 1], [p.stderr[-500:] for p in outputs]

    # The credentials really were in use: the proxy saw the session token and signatures.
    assert seen and all(h.get("X-Amz-Security-Token") == TOKEN for h in seen)
    signatures = {m for h in seen for m in re.findall(r"Signature=([0-9a-f]{64})", h["Authorization"])}
    assert len(seen) > 20 and len(signatures) > 10  # a retry within the same second may repeat one
    assert any("attempt" in p.stderr for p in outputs)  # retry lines were printed
    assert "Traceback" in outputs[-1].stderr

    files = [p for p in Path(os.environ["XDG_STATE_HOME"]).rglob("*") if p.is_file()]
    records = [p for p in files if p.suffix == ".jsonl"]
    assert len(records) == 6  # create, set-mode, modify, import-image, create (failed), create (timed out)
    everything = "".join(p.stdout + p.stderr for p in outputs) + "".join(p.read_text() for p in files)
    assert "debug: CreateWorkspaces" in everything
    for secret in (SECRET, TOKEN, TOKEN[:40], *signatures):
        assert secret not in everything
    for header in ("Authorization", "Signature=", "Credential=", "X-Amz-Security-Token", "x-amz-date"):
        assert header.lower() not in everything.lower()
    assert KEY_ID not in everything

    # Owner only, whatever the umask: the runs folder 0700, every file in it 0600.
    assert stat.S_IMODE(runs_dir().stat().st_mode) == 0o700
    pending = [p for p in files if p.name.endswith("-pending.ids")]
    assert pending, "the timed-out wait wrote no pending IDs file"
    for path in files:
        if path.parent == runs_dir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
