"""Helpers for the sandbox tests: clients on the sandbox, a settable clock, the seed, a served sandbox."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import wsctl
from wsctl.aws.clients import build_client
from wsctl.aws.ratelimit import TokenBucket
from wsctl.options import GlobalOptions


def client(max_attempts: int = 1) -> Any:
    """A real boto3 client on the in-process sandbox, built exactly as `wsctl --sandbox` builds it.

    One attempt by default, so a test sees each answer the sandbox gives (no retries).
    """
    options = GlobalOptions(sandbox=True, max_rate=1000, burst=1000, max_attempts=max_attempts)
    return build_client(options, TokenBucket(1000, 1000))


class FakeClock:
    """Wall-clock seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Every sandbox client built from now on in this test reads this clock instead of the real one."""
    from wsctl.sandbox import transport
    from wsctl.sandbox.backend import Backend
    from wsctl.sandbox.store import Store

    clock = FakeClock()
    monkeypatch.setattr(transport, "Backend", lambda: Backend(Store(clock=clock)))
    return clock


def reset(*args: str) -> dict[str, Any]:
    """`wsctl sandbox reset ARGS`, then the seed as `wsctl sandbox info -o json` shows it."""
    run = wsctl("sandbox", "reset", *args)
    assert run.exit_code == 0, run.stderr
    return info()


def info() -> dict[str, Any]:
    """What `wsctl sandbox info -o json` prints (read directly: test_sandbox_cli checks the command)."""
    from wsctl.sandbox.store import Store

    return Store().info()


def primary_directory(seed: dict[str, Any]) -> dict[str, Any]:
    return next(d for d in seed["Directories"] if d["DirectoryType"] == "SIMPLE_AD")


def second_directory(seed: dict[str, Any]) -> dict[str, Any]:
    return next(d for d in seed["Directories"] if d["DirectoryType"] == "AD_CONNECTOR")


def bundle_id(seed: dict[str, Any], compute: str = "STANDARD", owner: str = "AMAZON") -> str:
    return str(
        next(
            b["BundleId"]
            for b in seed["Bundles"]
            if b["ComputeType"] == compute and b["Owner"] == owner and b["SandboxOutcome"] != "ERROR"
        )
    )


def create_args(seed: dict[str, Any], *users: str, bundle: str | None = None) -> list[str]:
    """`--sandbox create` in the primary directory for these users (a test adds --wait, -o, ...)."""
    return [
        "--sandbox", "create", "--directory-id", primary_directory(seed)["DirectoryId"],
        "--bundle-id", bundle or bundle_id(seed), *[a for u in users for a in ("--user", u)],
    ]  # fmt: skip


def failing_bundle_id(seed: dict[str, Any]) -> str:
    return str(next(b["BundleId"] for b in seed["Bundles"] if b["SandboxOutcome"] == "ERROR"))


def ami_id(seed: dict[str, Any], *, failing: bool = False) -> str:
    wanted = "ERROR" if failing else "AVAILABLE"
    return str(next(a["ImageId"] for a in seed["Ec2Images"] if a["SandboxOutcome"] == wanted))


def request(seed: dict[str, Any], user: str, compute: str = "STANDARD", **extra: Any) -> dict[str, Any]:
    """A WorkspaceRequest for a user of the primary directory."""
    return {
        "DirectoryId": primary_directory(seed)["DirectoryId"],
        "UserName": user,
        "BundleId": bundle_id(seed, compute),
        **extra,
    }


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a ClientError."""
    response: Any = exc.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def counts() -> dict[str, int]:
    from wsctl.sandbox.store import Store

    return Store().request_counts()


@contextmanager
def served(*args: str, env: dict[str, str] | None = None, log: Path | None = None) -> Iterator[tuple[str, Any]]:
    """`wsctl sandbox serve --port 0 ARGS` as a subprocess: yields (URL, process); stops it with SIGTERM."""
    full_env = {**os.environ, **(env or {})}
    stderr: Any = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "wsctl", "sandbox", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env=full_env,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://"), f"first line was {url!r}"
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if log:
            stderr.close()


def unvalidated_client() -> Any:
    """A boto3 client without botocore's own parameter checks, on the in-process sandbox."""
    import boto3
    from botocore.config import Config

    from wsctl.sandbox.backend import Backend
    from wsctl.sandbox.transport import attach_backend

    c = boto3.Session(
        aws_access_key_id="AKIATESTFAKEFAKEFAKE", aws_secret_access_key="fake", region_name="us-east-1"
    ).client(
        "workspaces",
        config=Config(parameter_validation=False, retries={"mode": "standard", "total_max_attempts": 1}),
    )
    attach_backend(c, Backend())
    return c


def http_client(url: str, max_attempts: int = 1) -> Any:
    """A plain boto3 client (not built by wsctl) pointed at a served sandbox."""
    import boto3
    from botocore.config import Config

    return boto3.Session(
        aws_access_key_id="AKIATESTFAKEFAKEFAKE", aws_secret_access_key="fake", region_name="us-east-1"
    ).client(
        "workspaces",
        endpoint_url=url,
        config=Config(retries={"mode": "standard", "total_max_attempts": max_attempts}),
    )


def cbor_client(url: str | None = None) -> Any:
    """A botocore client that speaks Smithy RPC v2 CBOR (as SDKs that prefer the model's first protocol do).

    Without `url`, it is attached to the in-process sandbox (and sees `fake_clock`).
    """
    return client_speaking("workspaces", "smithy-rpc-v2-cbor", url)


def client_speaking(service: str, protocol: str | None, url: str | None = None) -> Any:
    """A plain botocore client of `service` that speaks `protocol` (None: the one botocore picks), one
    attempt, fake credentials; without `url`, attached to the in-process sandbox."""
    import copy

    import botocore.session
    from botocore.config import Config

    from wsctl.sandbox.transport import attach

    session = botocore.session.Session()
    if protocol is not None:
        loader = session.get_component("data_loader")
        original = loader.load_service_model

        def load(service_name: str, type_name: str, api_version: str | None = None) -> Any:
            data = original(service_name, type_name, api_version)
            if service_name == service and type_name == "service-2":
                data = copy.deepcopy(data)
                data["metadata"]["protocols"] = [protocol]
                data["metadata"]["protocol"] = protocol
            return data

        loader.load_service_model = load
    c = session.create_client(
        service,
        region_name="us-east-1",
        aws_access_key_id="AKIATESTFAKEFAKEFAKE",
        aws_secret_access_key="fake",
        endpoint_url=url,
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )
    if url is None:
        attach(c)
    return c


FAST = ("--time-scale", "0.02")


def make_fleet(n: int, *, users: list[str] | None = None, bundle: str | None = None, extra: tuple[str, ...] = ()):
    """Reset the sandbox, create n WorkSpaces and wait for them; returns (seed, ids)."""
    seed = reset(*FAST, *extra)
    names = users or [f"user{i:04d}" for i in range(1, n + 1)]
    run = wsctl(
        *create_args(seed, *names, bundle=bundle),
        "--yes",
        "--wait",
        "--poll-interval",
        "0.05",
        "-o",
        "json",
    )
    assert run.exit_code == 0, run.stderr
    return seed, [w["WorkspaceId"] for w in run.json()["Workspaces"]]


def aws_cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`aws workspaces ARGS` (the AWS CLI v1 of the test extra) against a served sandbox, fake credentials."""
    return aws_service(url, "workspaces", *args)


def aws_service(url: str, service: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`aws SERVICE ARGS` (workspaces, cloudwatch) against a served sandbox, fake credentials."""
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "AKIATESTFAKEFAKEFAKE",
        "AWS_SECRET_ACCESS_KEY": "fake-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_MAX_ATTEMPTS": "1",
    }
    return subprocess.run(
        [str(Path(sys.executable).parent / "aws"), service, *args, "--endpoint-url", url, "--output", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def aws_ok(proc: subprocess.CompletedProcess[str]) -> Any:
    """The JSON answer of a successful `aws_cli` call."""
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout) if proc.stdout.strip() else {}
