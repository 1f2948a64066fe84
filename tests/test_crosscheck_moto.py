"""wsctl against moto's server: a second WorkSpaces implementation that none of us wrote.

moto covers CreateWorkspaces and DescribeWorkspaces only, answers every WorkSpace as
AVAILABLE at once, and does not check users, bundles or duplicates; the tests below are
the create/describe end-to-end checks that make sense against it.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import wsctl

pytestmark = pytest.mark.crosscheck

BUNDLE = "wsb-0123abcd9"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    else:  # pragma: no cover - environment problem
        proc.kill()
        pytest.fail("moto server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def directory(moto_url: str) -> str:
    """A fresh directory registered with WorkSpaces in moto (EC2 VPC + Directory Service + register)."""
    import boto3

    kw: dict[str, Any] = {
        "endpoint_url": moto_url,
        "region_name": "us-east-1",
        "aws_access_key_id": "AKIATESTFAKEFAKEFAKE",
        "aws_secret_access_key": "fake",
    }
    ec2 = boto3.client("ec2", **kw)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
        for i, z in ((1, "a"), (2, "b"))
    ]
    ds = boto3.client("ds", **kw)
    directory_id = str(
        ds.create_directory(
            Name=f"corp{time.monotonic_ns()}.example.com",
            Password="Passw0rd!234",
            Size="Small",
            VpcSettings={"VpcId": vpc, "SubnetIds": subnets},
        )["DirectoryId"]
    )
    boto3.client("workspaces", **kw).register_workspace_directory(DirectoryId=directory_id)
    return directory_id


def on_moto(url: str, *args: str, input: str | None = None):
    return wsctl("--endpoint-url", url, *args, input=input)


def fleet(tmp_path: Path, directory: str, users: list[str]) -> str:
    path = tmp_path / "fleet.yaml"
    path.write_text(
        f"defaults: {{directory_id: {directory}, bundle_id: {BUNDLE}, running_mode: ALWAYS_ON}}\n"
        f"workspaces:\n  - users: [{', '.join(users)}]\n"
    )
    return str(path)


def test_create_from_yaml_then_describe(moto_url, directory, tmp_path):
    users = [f"user{i:02d}" for i in range(30)]
    run = on_moto(moto_url, "create", "-f", fleet(tmp_path, directory, users), "--yes", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert sorted(w["UserName"] for w in run.json()["PendingRequests"]) == users
    described = on_moto(moto_url, "describe", "--directory-id", directory, "-o", "json")
    assert described.exit_code == 0
    assert sorted(w["UserName"] for w in described.json()["Workspaces"]) == users
    one = on_moto(moto_url, "describe", "--directory-id", directory, "--user", "user07", "-o", "ids")
    assert one.stdout.split() == [w["WorkspaceId"] for w in described.json()["Workspaces"] if w["UserName"] == "user07"]


def test_rerun_creates_nothing_twice_even_though_moto_would(moto_url, directory, tmp_path):
    path = fleet(tmp_path, directory, ["alice", "bob"])
    assert on_moto(moto_url, "create", "-f", path, "--yes").exit_code == 0
    again = on_moto(moto_url, "create", "-f", path, "--yes", "-o", "json")
    assert again.exit_code == 0
    assert again.json()["PendingRequests"] == [] and len(again.json()["Existing"]) == 2
    described = on_moto(moto_url, "describe", "--directory-id", directory, "-o", "json").json()["Workspaces"]
    assert sorted(w["UserName"] for w in described) == ["alice", "bob"]


def test_unknown_directory_is_a_failed_request_exit_3(moto_url, directory):
    run = on_moto(
        moto_url, "create", "--directory-id", "d-0000000000", "--bundle-id", BUNDLE, "--user", "carol", "-o", "json"
    )
    assert run.exit_code == 3
    assert run.json()["FailedRequests"][0]["ErrorCode"] == "ResourceNotFound.Directory"


def test_wait_and_describe_by_id(moto_url, directory):
    run = on_moto(
        moto_url,
        "create",
        "--directory-id",
        directory,
        "--bundle-id",
        BUNDLE,
        "--user",
        "dave",
        "--wait",
        "--poll-interval",
        "0.05",
        "-o",
        "json",
    )
    assert run.exit_code == 0, run.stderr
    workspace_id = run.json()["PendingRequests"][0]["WorkspaceId"]
    assert [w["State"] for w in run.json()["Workspaces"]] == ["AVAILABLE"]
    by_id = on_moto(moto_url, "describe", "--id", workspace_id, "-o", "json")
    assert [w["WorkspaceId"] for w in by_id.json()["Workspaces"]] == [workspace_id]
