#!/usr/bin/env python3
"""wsctl against the AWS CLI, side by side, on this machine.

    python bench/bench.py            # the full run (about 5 minutes)
    python bench/bench.py --quick    # fewer repetitions (about 2 minutes)

What is measured (medians of several runs; every ratio is wsctl / AWS CLI or wsctl / floor):
- start-up: `wsctl --version`, `wsctl --help` and one shell-completion call against `aws --version`;
- one call: `wsctl describe -o json` against `aws workspaces describe-workspaces`, both on the same
  `wsctl sandbox serve` holding 30 WorkSpaces;
- fleet: 1,000 WorkSpaces from one YAML file with `wsctl create`, against the AWS CLI doing the same in
  40 chunked `create-workspaces --cli-input-json` calls, both on a served sandbox with AWS's rate limit
  (`sandbox reset --rate-limit 2 --burst 5`); wsctl's wall time against the floor the rate limit sets
  for the calls it made, throttled requests from the sandbox's counters, calls of each kind;
- `--wait` over 1,000 WorkSpaces: DescribeWorkspaces calls in each poll round, from `--debug` lines,
  cross-checked with the sandbox's counters;
- usage: `wsctl usage` over 1,000 WorkSpaces with 30 days of seeded usage: GetMetricData calls (target
  at most 90), the WorkSpaces calls, wall time;
- `create --dry-run` of 10,000 entries: wall time and the child's peak memory (max RSS);
- the sandbox itself over HTTP, driven by a plain botocore client: 40 CreateWorkspaces of 25 and the 40
  DescribeWorkspaces pages of the result (time per call), and the median of 50 DescribeWorkspaces calls
  on one kept-alive connection (a Nagle stall would add a delayed ACK, 40 ms, to each).

Everything runs in a temporary directory (sandbox database, XDG state, AWS config) with fake AWS
credentials; no AWS account is used. Results go to bench/results/latest.json and latest.md (a table
for the README), and the table is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

# Targets from issues 2, 4 and 5.
TARGET_VERSION = 0.25
TARGET_HELP = 0.6
TARGET_COMPLETE = 0.55
TARGET_ONE_CALL = 0.7
TARGET_FLEET_FLOOR = 1.15
TARGET_DRY_RUN_SECONDS = 2.0
TARGET_DRY_RUN_MIB = 150.0
TARGET_INVALID_SECONDS = 10.0  # 100,000 bad entries: a bounded report, not one line (and one pass) per entry
TARGET_INVALID_MIB = 500.0
TARGET_SANDBOX_CALL_SECONDS = 0.1  # a 25-WorkSpace create or describe page: "milliseconds, on a slow machine too"
TARGET_SANDBOX_LATENCY_SECONDS = 0.03  # below the 40 ms a delayed ACK adds

FLEET_SIZE = 1000
CHUNK = 25
RATE, BURST = 2.0, 5
DRY_RUN_ENTRIES = 10_000
INVALID_ENTRIES = 100_000
ONE_CALL_WORKSPACES = 30


BOTOCORE_FLOOR = """
import json, sys
import botocore.session
client = botocore.session.get_session().create_client("workspaces", endpoint_url=sys.argv[1])
pages = client.get_paginator("describe_workspaces").paginate()
print(json.dumps({"Workspaces": [w for p in pages for w in p["Workspaces"]]}, indent=2, default=str))
"""

SANDBOX_CALLS = """
import json, statistics, sys, time
import botocore.session
url, directory, bundle, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
client = botocore.session.get_session().create_client("workspaces", endpoint_url=url)
client.describe_workspace_directories()  # connect and load the model before timing
creates, describes, latencies = [], [], []
for start in range(0, count, 25):
    batch = [
        {"DirectoryId": directory, "UserName": f"user{i:04d}", "BundleId": bundle}
        for i in range(start + 1, min(start + 25, count) + 1)
    ]
    began = time.perf_counter()
    answer = client.create_workspaces(Workspaces=batch)
    creates.append(time.perf_counter() - began)
    assert not answer["FailedRequests"], answer["FailedRequests"][:1]
token = None
while True:
    began = time.perf_counter()
    page = client.describe_workspaces(**({"NextToken": token} if token else {}))
    describes.append(time.perf_counter() - began)
    token = page.get("NextToken")
    if not token:
        break
for _ in range(50):
    began = time.perf_counter()
    client.describe_workspaces(WorkspaceIds=[page["Workspaces"][0]["WorkspaceId"]])
    latencies.append(time.perf_counter() - began)
print(json.dumps({"create": creates, "describe": describes, "latency": latencies}))
"""


# --- running things --------------------------------------------------------------------------


@dataclass
class Timed:
    """One finished child process: wall seconds, exit code, output, peak memory."""

    seconds: float
    returncode: int
    stdout: str
    stderr: str
    max_rss_mib: float


def run_timed(argv: Sequence[str], env: dict[str, str], *, cwd: Path | None = None, timeout: float = 600) -> Timed:
    """Run argv to the end; wall time from fork to reap, max RSS of that child alone (wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=cwd)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Timed(
            seconds,
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            usage.ru_maxrss / 1024,  # KiB on Linux
        )


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else math.nan


def ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


class Bench:
    """Paths, an isolated environment, and helpers to drive wsctl, the AWS CLI and the sandbox."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        bindir = Path(sys.executable).parent
        self.wsctl = _find("wsctl", bindir)
        self.aws = _find("aws", bindir)
        home = workdir / "home"
        (home / ".aws").mkdir(parents=True, exist_ok=True)
        (home / ".aws" / "config").write_text("")
        (home / ".aws" / "credentials").write_text("")
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "WSCTL_", "XDG_", "_WSCTL", "_TYPER"))}
        self.env: dict[str, str] = {
            **keep,
            "HOME": str(home),
            "XDG_STATE_HOME": str(workdir / "state"),
            "XDG_CACHE_HOME": str(workdir / "cache"),
            "XDG_CONFIG_HOME": str(workdir / "config"),
            "WSCTL_SANDBOX_DB": str(workdir / "sandbox.sqlite3"),
            "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
            "AWS_ACCESS_KEY_ID": "AKIABENCHFAKEFAKE000",
            "AWS_SECRET_ACCESS_KEY": "bench-fake-secret-not-a-real-key",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "PYTHONDONTWRITEBYTECODE": "",
        }
        self.env.pop("PYTHONDONTWRITEBYTECODE")

    def wsctl_cmd(self, *args: str) -> list[str]:
        return [self.wsctl, *args]

    def aws_cmd(self, *args: str) -> list[str]:
        return [self.aws, *args]

    def check(self, argv: Sequence[str], env: dict[str, str] | None = None, timeout: float = 600) -> Timed:
        result = run_timed(argv, env or self.env, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {result.returncode}:\n{result.stderr[-3000:]}")
        return result

    def reset(self, *args: str) -> dict[str, Any]:
        self.check(self.wsctl_cmd("sandbox", "reset", *args))
        return self.info()

    def info(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.check(self.wsctl_cmd("sandbox", "info", "-o", "json")).stdout)
        return data

    @contextmanager
    def served(self) -> Iterator[str]:
        """`wsctl sandbox serve --port 0` on the bench's database; yields its URL."""
        proc = subprocess.Popen(
            self.wsctl_cmd("sandbox", "serve", "--port", "0", "--quiet"),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=self.env,
        )
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            if not url.startswith("http://"):
                raise RuntimeError(f"wsctl sandbox serve printed {url!r}")
            yield url
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _find(name: str, bindir: Path) -> str:
    local = bindir / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"bench: `{name}` is not installed (pip install -e '.[test]' installs both)")
    return found


# --- inputs --------------------------------------------------------------------------------------


def seed_ids(info: dict[str, Any]) -> tuple[str, str]:
    """(primary directory, a bundle whose WorkSpaces become AVAILABLE) of the sandbox seed."""
    directory = next(d["DirectoryId"] for d in info["Directories"] if d["DirectoryType"] == "SIMPLE_AD")
    bundle = next(
        b["BundleId"]
        for b in info["Bundles"]
        if b["ComputeType"] == "STANDARD" and b["Owner"] == "AMAZON" and b["SandboxOutcome"] != "ERROR"
    )
    return directory, bundle


def users(count: int, width: int = 4) -> list[str]:
    return [f"user{n:0{width}d}" for n in range(1, count + 1)]


def fleet_yaml(path: Path, directory: str, bundle: str, names: Sequence[str], *, encrypt_every: int = 0) -> Path:
    """The friendly form: defaults, then one entry per user (as an admin would write it)."""
    lines = [
        "defaults:",
        f"  directory_id: {directory}",
        f"  bundle_id: {bundle}",
        "  running_mode: AUTO_STOP",
        "  auto_stop_timeout: 60",
        "  tags: {team: euc, cost-center: '4711'}",
        "workspaces:",
    ]
    for n, name in enumerate(names):
        lines.append(f"  - user: {name}")
        if encrypt_every and n % encrypt_every == 0:
            lines += [
                "    volume_encryption_key: alias/aws/workspaces",
                "    encrypt_user: true",
            ]
        elif n % 3 == 0:
            lines.append("    compute_type: PERFORMANCE")
    path.write_text("\n".join(lines) + "\n")
    return path


def aws_chunks(folder: Path, directory: str, bundle: str, names: Sequence[str]) -> list[Path]:
    """What an AWS CLI user writes by hand: one --cli-input-json file per 25 WorkSpaces."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for start in range(0, len(names), CHUNK):
        requests = []
        for offset, name in enumerate(names[start : start + CHUNK]):
            props: dict[str, Any] = {"RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 60}
            if (start + offset) % 3 == 0:
                props["ComputeTypeName"] = "PERFORMANCE"
            requests.append(
                {
                    "DirectoryId": directory,
                    "UserName": name,
                    "BundleId": bundle,
                    "WorkspaceProperties": props,
                    "Tags": [{"Key": "team", "Value": "euc"}, {"Key": "cost-center", "Value": "4711"}],
                }
            )
        path = folder / f"chunk{start // CHUNK + 1:02d}.json"
        path.write_text(json.dumps({"Workspaces": requests}))
        paths.append(path)
    return paths


# --- parsing what wsctl prints ---------------------------------------------------------------------

_SUMMARY_CALLS = re.compile(r"calls: (?P<calls>[^·\n]*?) ·")
_DEBUG_CALL = re.compile(r"^debug: (?P<op>[A-Za-z]+) (?P<params>\{.*)$")


def summary_calls(stderr: str) -> dict[str, int]:
    """Logical calls per operation from wsctl's summary line ('calls: 40 CreateWorkspaces, 1 ...')."""
    match = _SUMMARY_CALLS.search(stderr)
    if not match:
        return {}
    return {op: int(n) for n, op in re.findall(r"(\d+) ([A-Za-z]+)", match.group("calls"))}


def debug_calls(stderr: str) -> list[tuple[str, dict[str, Any]]]:
    """(operation, parameters) of every call a `--debug` run started, in order."""
    calls = []
    for line in stderr.splitlines():
        match = _DEBUG_CALL.match(line)
        if not match:
            continue
        try:
            params = json.loads(match.group("params"))
        except json.JSONDecodeError:
            params = {}  # cut short (over 4,000 characters): never the case for 25 IDs
        calls.append((match.group("op"), params))
    return calls


@dataclass
class PollRound:
    unsettled: int  # distinct WorkSpaces asked about in this round
    calls: int

    @property
    def target(self) -> int:
        return math.ceil(self.unsettled / CHUNK)


def poll_rounds(calls: Sequence[tuple[str, dict[str, Any]]]) -> list[PollRound]:
    """Group DescribeWorkspaces-by-ID calls into poll rounds.

    Each round asks about every unsettled WorkSpace once, and the next round asks only about
    WorkSpaces the previous one asked about; so a call that names an ID already asked in the
    current round starts the next round.
    """
    rounds: list[PollRound] = []
    asked: set[str] = set()
    for op, params in calls:
        ids = params.get("WorkspaceIds") if op == "DescribeWorkspaces" else None
        if not ids:
            continue
        if not rounds or asked.intersection(ids):
            rounds.append(PollRound(0, 0))
            asked = set()
        asked.update(ids)
        rounds[-1].calls += 1
        rounds[-1].unsettled = len(asked)
    return rounds


# --- the sections -------------------------------------------------------------------------------


@dataclass
class Section:
    name: str
    data: dict[str, Any] = field(default_factory=dict)
    rows: list[list[str]] = field(default_factory=list)  # markdown rows: metric, wsctl, AWS CLI, ratio, target, met


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def startup(b: Bench, runs: int) -> Section:
    env = b.env
    complete_env = {
        **env,
        "_WSCTL_COMPLETE": "complete_bash",
        "COMP_WORDS": "wsctl create --running-mode A",
        "COMP_CWORD": "3",
    }
    cases: dict[str, tuple[list[str], dict[str, str]]] = {
        "aws --version": (b.aws_cmd("--version"), env),
        "wsctl --version": (b.wsctl_cmd("--version"), env),
        "wsctl --help": (b.wsctl_cmd("--help"), env),
        "wsctl completion": (b.wsctl_cmd(), complete_env),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for name, (argv, case_env) in cases.items():  # warm the page cache and the .pyc files
        result = run_timed(argv, case_env)
        if result.returncode != 0:
            raise RuntimeError(f"{name} exited {result.returncode}: {result.stderr[-2000:]}")
        if name == "wsctl completion" and "AUTO_STOP" not in result.stdout:
            raise RuntimeError(f"the completion call did not complete: {result.stdout!r}")
    names = list(cases)
    for n in range(runs):
        rotated = names[n % len(names) :] + names[: n % len(names)]  # no case always runs first
        for name in rotated:
            argv, case_env = cases[name]
            times[name].append(run_timed(argv, case_env).seconds)
    med = {name: median(values) for name, values in times.items()}
    aws = med["aws --version"]
    section = Section("startup")
    section.data = {
        "runs": runs,
        "median_seconds": med,
        "all_seconds": times,
        "completion_call": "_WSCTL_COMPLETE=complete_bash COMP_WORDS='wsctl create --running-mode A' COMP_CWORD=3",
        "ratios": {},
    }
    for name, target in (("wsctl --version", TARGET_VERSION), ("wsctl --help", TARGET_HELP)):
        r = ratio(med[name], aws)
        section.data["ratios"][name] = r
        section.rows.append([f"`{name}`", _s(med[name]), _s(aws), f"{r:.2f}x", f"<= {target}x", _met(r <= target)])
    r = ratio(med["wsctl completion"], aws)
    section.data["ratios"]["wsctl completion"] = r
    section.rows.append(
        [
            "one completion call (`--running-mode A<TAB>`)",
            _s(med["wsctl completion"]),
            _s(aws),
            f"{r:.2f}x",
            f"<= {TARGET_COMPLETE}x",
            _met(r <= TARGET_COMPLETE),
        ]
    )
    return section


def one_call(b: Bench, runs: int) -> Section:
    info = b.reset("--users", str(ONE_CALL_WORKSPACES), "--time-scale", "0")
    directory, bundle = seed_ids(info)
    path = fleet_yaml(b.workdir / "thirty.yaml", directory, bundle, users(ONE_CALL_WORKSPACES))
    fast = {**b.env, "WSCTL_MAX_RATE": "1000", "WSCTL_BURST": "1000"}
    b.check(b.wsctl_cmd("--sandbox", "create", "-f", str(path), "--yes", "-o", "ids"), env=fast)
    with b.served() as url:
        cases = {
            "wsctl": b.wsctl_cmd("--endpoint-url", url, "describe", "-o", "json"),
            "aws": b.aws_cmd("--endpoint-url", url, "workspaces", "describe-workspaces", "--output", "json"),
            # The least any botocore-based tool can do: import, one client, every page, JSON.
            "botocore": [sys.executable, "-c", BOTOCORE_FLOOR, url],
        }
        for name, argv in cases.items():  # warm up, and check both see the same 30
            found = json.loads(b.check(argv).stdout)["Workspaces"]
            if len(found) != ONE_CALL_WORKSPACES:
                raise RuntimeError(f"{name} saw {len(found)} WorkSpaces, not {ONE_CALL_WORKSPACES}")
        times: dict[str, list[float]] = {name: [] for name in cases}
        before = b.info()["Requests"].get("DescribeWorkspaces", 0)
        for n in range(runs):
            order = list(cases)[n % len(cases) :] + list(cases)[: n % len(cases)]
            for name in order:
                times[name].append(b.check(cases[name]).seconds)
        after = b.info()["Requests"].get("DescribeWorkspaces", 0)
    med = {name: median(values) for name, values in times.items()}
    r = ratio(med["wsctl"], med["aws"])
    section = Section("one_call")
    section.data = {
        "runs": runs,
        "workspaces": ONE_CALL_WORKSPACES,
        "median_seconds": med,
        "all_seconds": times,
        "ratio": r,
        "describe_requests_per_run_pair": (after - before) / runs,
    }
    section.rows.append(
        [
            f"`describe -o json`, {ONE_CALL_WORKSPACES} WorkSpaces, served sandbox",
            _s(med["wsctl"]),
            _s(med["aws"]),
            f"{r:.2f}x",
            f"<= {TARGET_ONE_CALL}x",
            _met(r <= TARGET_ONE_CALL),
        ]
    )
    floor = med["botocore"]
    section.data["botocore_floor_ratio_to_aws"] = ratio(floor, med["aws"])
    section.rows.append(
        [
            "(the same with a bare botocore script: import, client, pages, JSON)",
            _s(floor),
            _s(med["aws"]),
            f"{ratio(floor, med['aws']):.2f}x",
            "-",
            "-",
        ]
    )
    return section


def _requests_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {op: after.get(op, 0) - before.get(op, 0) for op in sorted(set(before) | set(after))}


def fleet(b: Bench, runs: int, *, with_aws: bool) -> Section:
    limited = ("--users", str(FLEET_SIZE), "--rate-limit", str(RATE), "--burst", str(BURST))
    names = users(FLEET_SIZE)
    wsctl_runs: list[dict[str, Any]] = []
    for _ in range(runs):
        info = b.reset(*limited)
        directory, bundle = seed_ids(info)
        path = fleet_yaml(b.workdir / "fleet.yaml", directory, bundle, names)
        with b.served() as url:
            before = b.info()["Requests"]
            # The client's default pacing (2 calls/s, bursts of 5): no WSCTL_MAX_RATE/WSCTL_BURST.
            result = b.check(b.wsctl_cmd("--endpoint-url", url, "create", "-f", str(path), "--yes", "-o", "json"))
            received = _requests_delta(before, b.info()["Requests"])
        out = json.loads(result.stdout)
        logical = summary_calls(result.stderr)
        calls = sum(logical.values())
        floor = (calls - BURST) / RATE
        wsctl_runs.append(
            {
                "seconds": result.seconds,
                "created": len(out["PendingRequests"]),
                "failed": len(out["FailedRequests"]),
                "logical_calls": logical,
                "requests_received": received,
                "throttled_or_retried": sum(received.values()) - calls,
                "floor_seconds": floor,
                "ratio_to_floor": ratio(result.seconds, floor),
            }
        )
    best = sorted(wsctl_runs, key=lambda r: r["seconds"])[len(wsctl_runs) // 2]  # the median run
    section = Section("fleet")
    section.data = {"runs": runs, "size": FLEET_SIZE, "rate_limit": RATE, "burst": BURST, "wsctl": wsctl_runs}
    aws_data: dict[str, Any] | None = None
    if with_aws:
        info = b.reset(*limited)
        directory, bundle = seed_ids(info)
        chunks = aws_chunks(b.workdir / "chunks", directory, bundle, names)
        with b.served() as url:
            before = b.info()["Requests"]
            started = time.perf_counter()
            exits, failed_requests, pending = [], 0, 0
            for chunk in chunks:
                result = run_timed(
                    b.aws_cmd(
                        "--endpoint-url",
                        url,
                        "workspaces",
                        "create-workspaces",
                        "--cli-input-json",
                        f"file://{chunk}",
                        "--output",
                        "json",
                    ),
                    b.env,
                )
                exits.append(result.returncode)
                if result.returncode == 0:
                    answer = json.loads(result.stdout)
                    failed_requests += len(answer.get("FailedRequests", []))
                    pending += len(answer.get("PendingRequests", []))
            seconds = time.perf_counter() - started
            after = b.info()
        received = _requests_delta(before, after["Requests"])
        aws_data = {
            "seconds": seconds,
            "invocations": len(chunks),
            "nonzero_exits": sum(1 for e in exits if e != 0),
            "created": after["Counts"]["Workspaces"],
            "reported_pending": pending,
            "reported_failed": failed_requests,
            "requests_received": received,
            "throttled_or_retried": sum(received.values()) - len(chunks),
        }
        section.data["aws"] = aws_data
    calls_text = ", ".join(f"{n} {op}" for op, n in best["logical_calls"].items())
    section.rows.append(
        [
            f"{FLEET_SIZE:,} WorkSpaces at 2 calls/s, bursts of 5: wall time",
            _s(best["seconds"]),
            _s(aws_data["seconds"]) if aws_data else "-",
            f"{ratio(best['seconds'], aws_data['seconds']):.2f}x" if aws_data else "-",
            "-",
            "-",
        ]
    )
    section.rows.append(
        [
            f"... against the floor for the calls made, (calls - {BURST}) / {RATE:g}",
            f"{best['ratio_to_floor']:.2f}x of {best['floor_seconds']:.1f} s",
            "-",
            "-",
            f"<= {TARGET_FLEET_FLOOR}x",
            _met(best["ratio_to_floor"] <= TARGET_FLEET_FLOOR),
        ]
    )
    aws_calls = ", ".join(f"{n} {op}" for op, n in aws_data["requests_received"].items()) if aws_data else "-"
    section.rows.append(
        [
            "... calls made (logical)",
            calls_text,
            f"{aws_data['invocations']} CreateWorkspaces" if aws_data else "-",
            "-",
            "-",
            "-",
        ]
    )
    section.rows.append(
        [
            "... requests the sandbox received; throttled or retried",
            f"{sum(best['requests_received'].values())}; {best['throttled_or_retried']}",
            f"{aws_calls}; {aws_data['throttled_or_retried']}" if aws_data else "-",
            "-",
            "0 throttled",
            _met(all(r["throttled_or_retried"] == 0 for r in wsctl_runs)),
        ]
    )
    section.rows.append(
        [
            "... WorkSpaces reported created; failed",
            f"{best['created']}; {best['failed']}",
            f"{aws_data['reported_pending']}; {aws_data['reported_failed']} (+{aws_data['nonzero_exits']} calls failed)"
            if aws_data
            else "-",
            "-",
            f"{FLEET_SIZE}; 0",
            _met(all(r["created"] == FLEET_SIZE and r["failed"] == 0 for r in wsctl_runs)),
        ]
    )
    return section


def lifecycle(b: Bench) -> Section:
    """`wsctl stop` over 1,000 WorkSpaces at AWS's rate limit, then the same command again."""
    info = b.reset("--users", str(FLEET_SIZE), "--rate-limit", str(RATE), "--burst", str(BURST), "--time-scale", "0.01")
    directory, bundle = seed_ids(info)
    path = fleet_yaml(b.workdir / "stop-fleet.yaml", directory, bundle, users(FLEET_SIZE))
    with b.served() as url:
        b.check(b.wsctl_cmd("--endpoint-url", url, "create", "-f", str(path), "--yes", "--wait", "-o", "ids"))
        before = b.info()["Requests"]
        stop = b.check(b.wsctl_cmd("--endpoint-url", url, "stop", "--directory-id", directory, "--yes", "-o", "json"))
        between = b.info()["Requests"]
        again = b.check(b.wsctl_cmd("--endpoint-url", url, "stop", "--directory-id", directory, "--yes", "-o", "json"))
        received = _requests_delta(before, between)
        rerun_received = _requests_delta(between, b.info()["Requests"])
    logical = summary_calls(stop.stderr)
    calls = sum(logical.values())
    floor = (calls - BURST) / RATE
    stopped = len(json.loads(stop.stdout)["Requested"])
    rerun_sent = len(json.loads(again.stdout)["Requested"])
    section = Section("lifecycle")
    section.data = {
        "size": FLEET_SIZE,
        "seconds": stop.seconds,
        "stopped": stopped,
        "logical_calls": logical,
        "requests_received": received,
        "throttled_or_retried": sum(received.values()) - calls,
        "floor_seconds": floor,
        "ratio_to_floor": ratio(stop.seconds, floor),
        "rerun_requests_received": rerun_received,
        "rerun_sent": rerun_sent,
    }
    stop_calls = logical.get("StopWorkspaces", 0)
    section.rows += [
        [
            f"`stop --directory-id`, {FLEET_SIZE:,} WorkSpaces: StopWorkspaces calls; stopped",
            f"{stop_calls}; {stopped}",
            "-",
            "-",
            f"{-(-FLEET_SIZE // CHUNK)}; {FLEET_SIZE}",
            _met(stop_calls == -(-FLEET_SIZE // CHUNK) and stopped == FLEET_SIZE),
        ],
        [
            f"... wall time against the floor for the calls made, (calls - {BURST}) / {RATE:g}",
            f"{ratio(stop.seconds, floor):.2f}x of {floor:.1f} s",
            "-",
            "-",
            f"<= {TARGET_FLEET_FLOOR}x",
            _met(ratio(stop.seconds, floor) <= TARGET_FLEET_FLOOR),
        ],
        [
            "... the same command again: StopWorkspaces calls",
            str(rerun_received.get("StopWorkspaces", 0)),
            "-",
            "-",
            "0",
            _met(rerun_received.get("StopWorkspaces", 0) == 0 and rerun_sent == 0),
        ],
    ]
    return section


def plan_apply(b: Bench) -> Section:
    """`wsctl apply` of 1,000 creates from nothing at AWS's rate limit, then `wsctl plan` over the 1,000."""
    info = b.reset("--users", str(FLEET_SIZE), "--rate-limit", str(RATE), "--burst", str(BURST), "--time-scale", "0.01")
    directory, bundle = seed_ids(info)
    path = fleet_yaml(b.workdir / "plan-fleet.yaml", directory, bundle, users(FLEET_SIZE))
    # Without tags: an entry that manages tags costs one DescribeTags per WorkSpace (the API
    # takes one resource a call), which would measure the tags, not the plan.
    path.write_text("".join(line for line in path.read_text().splitlines(True) if not line.startswith("  tags:")))
    with b.served() as url:
        before = b.info()["Requests"]
        applied = b.check(b.wsctl_cmd("--endpoint-url", url, "apply", "-f", str(path), "--yes", "-o", "json"))
        between = b.info()["Requests"]
        time.sleep(BURST / RATE)  # the server's bucket refills after apply, as AWS's would between two commands
        planned = b.check(
            b.wsctl_cmd("--endpoint-url", url, "plan", "-f", str(path), "--detailed-exitcode", "-o", "json")
        )
        after = b.info()["Requests"]
    apply_received = _requests_delta(before, between)
    plan_received = {op: n for op, n in _requests_delta(between, after).items() if n}
    plan_logical = summary_calls(planned.stderr)
    logical = summary_calls(applied.stderr)
    calls = sum(logical.values())
    floor = (calls - BURST) / RATE
    plan_calls = sum(plan_received.values())
    plan_floor = max(sum(plan_logical.values()) - BURST, 0) / RATE
    created = len(json.loads(applied.stdout)["Created"])
    unchanged = len(json.loads(planned.stdout)["Unchanged"])
    pages = -(-FLEET_SIZE // CHUNK)
    section = Section("plan")
    section.data = {
        "size": FLEET_SIZE,
        "apply_seconds": applied.seconds,
        "created": created,
        "apply_logical_calls": logical,
        "apply_requests_received": apply_received,
        "apply_throttled_or_retried": sum(apply_received.values()) - calls,
        "apply_floor_seconds": floor,
        "apply_ratio_to_floor": ratio(applied.seconds, floor),
        "plan_seconds": planned.seconds,
        "plan_logical_calls": plan_logical,
        "plan_requests_received": plan_received,
        "plan_floor_seconds": plan_floor,
        "plan_unchanged": unchanged,
    }
    section.rows += [
        [
            f"`apply` of {FLEET_SIZE:,} creates from nothing: CreateWorkspaces calls; created",
            f"{logical.get('CreateWorkspaces', 0)}; {created}",
            "-",
            "-",
            f"{pages}; {FLEET_SIZE}",
            _met(logical.get("CreateWorkspaces", 0) == pages and created == FLEET_SIZE),
        ],
        [
            f"... wall time against the floor for the calls made, (calls - {BURST}) / {RATE:g}",
            f"{ratio(applied.seconds, floor):.2f}x of {floor:.1f} s",
            "-",
            "-",
            f"<= {TARGET_FLEET_FLOOR}x",
            _met(ratio(applied.seconds, floor) <= TARGET_FLEET_FLOOR),
        ],
        [
            f"`plan` over the {FLEET_SIZE:,}: calls (requests received); unchanged",
            f"{', '.join(f'{n} {op}' for op, n in plan_logical.items())} ({plan_calls}); {unchanged}",
            "-",
            "-",
            f"{pages} DescribeWorkspaces; {FLEET_SIZE}",
            _met(plan_logical == {"DescribeWorkspaces": pages} and unchanged == FLEET_SIZE),
        ],
        [
            "... plan's wall time against the same floor",
            f"{ratio(planned.seconds, plan_floor):.2f}x of {plan_floor:.1f} s",
            "-",
            "-",
            f"<= {TARGET_FLEET_FLOOR}x",
            _met(ratio(planned.seconds, plan_floor) <= TARGET_FLEET_FLOOR),
        ],
    ]
    return section


USAGE_DAYS = 30
TARGET_USAGE_METRIC_CALLS = 90  # issue 16: 1,000 WorkSpaces x 30 days at 5-minute resolution
COST_OPTIMIZER_CALLS = FLEET_SIZE * (USAGE_DAYS // 5)  # one GetMetricStatistics per WorkSpace per 5 days


def usage_calls(stderr: str) -> dict[str, int]:
    """The calls `wsctl usage` sums up on stderr: '...; calls: 86 GetMetricData, 40 DescribeWorkspaces.'"""
    found = re.search(r"; calls: (.*)\.$", stderr, re.MULTILINE)
    if not found:
        return {}
    return {op: int(n) for n, op in re.findall(r"(\d+) (\w+)", found.group(1))}


def usage(b: Bench) -> Section:
    """`wsctl usage` over 1,000 WorkSpaces and 30 days of seeded usage: calls of each kind, and time."""
    info = b.reset("--users", str(FLEET_SIZE), "--time-scale", "0.01", "--usage-days", str(USAGE_DAYS))
    directory, bundle = seed_ids(info)
    path = fleet_yaml(b.workdir / "usage-fleet.yaml", directory, bundle, users(FLEET_SIZE))
    with b.served() as url:
        b.check(b.wsctl_cmd("--endpoint-url", url, "create", "-f", str(path), "--yes", "--wait", "-o", "ids"))
        before = b.info()["Requests"]
        run = b.check(b.wsctl_cmd("--endpoint-url", url, "usage", "--directory-id", directory, "-o", "table"))
        received = _requests_delta(before, b.info()["Requests"])
    calls = usage_calls(run.stderr)
    metric_calls = calls.get("GetMetricData", 0)
    workspaces_calls = sum(n for op, n in calls.items() if op != "GetMetricData")
    # Each client paces itself at --max-rate (default 2/s) with its own bucket of --burst: first
    # DescribeWorkspaces, then CloudWatch while the connection status is read, then DescribeTags.
    describe = calls.get("DescribeWorkspaces", 0)
    tags = calls.get("DescribeTags", 0)
    overlapped = max(metric_calls, workspaces_calls - describe - tags)
    floor = max(0.0, (describe - BURST) / RATE) + overlapped / RATE + tags / RATE
    section = Section("usage")
    section.data = {
        "size": FLEET_SIZE,
        "days": USAGE_DAYS,
        "seconds": run.seconds,
        "calls": calls,
        "requests_received": received,
        "floor_seconds": floor,
        "cost_optimizer_calls": COST_OPTIMIZER_CALLS,
    }
    section.rows += [
        [
            f"`usage`, {FLEET_SIZE:,} WorkSpaces x {USAGE_DAYS} days: GetMetricData calls (Cost Optimizer: "
            f"{COST_OPTIMIZER_CALLS:,} GetMetricStatistics)",
            str(metric_calls),
            "-",
            "-",
            f"<= {TARGET_USAGE_METRIC_CALLS}",
            _met(0 < metric_calls <= TARGET_USAGE_METRIC_CALLS),
        ],
        [
            "... WorkSpaces calls (DescribeWorkspaces, connection status, DescribeTags for the candidates)",
            ", ".join(f"{n} {op}" for op, n in sorted(calls.items()) if op != "GetMetricData") or "-",
            "-",
            "-",
            "-",
            "-",
        ],
        [
            f"... wall time (floor for those calls at {RATE:g}/s: {floor:.1f} s)",
            _s(run.seconds),
            "-",
            "-",
            "-",
            "-",
        ],
    ]
    return section


def wait_rounds(b: Bench) -> Section:
    info = b.reset("--users", str(FLEET_SIZE), "--time-scale", "1")
    directory, bundle = seed_ids(info)
    # Every fourth WorkSpace is encrypted (10 s to settle instead of 5), so the unsettled
    # count falls in steps over the rounds.
    path = fleet_yaml(b.workdir / "wait.yaml", directory, bundle, users(FLEET_SIZE), encrypt_every=4)
    with b.served() as url:
        before = b.info()["Requests"]
        result = b.check(
            b.wsctl_cmd(
                "--endpoint-url",
                url,
                "--max-rate",
                "25",
                "--burst",
                "10",
                "--debug",
                "create",
                "-f",
                str(path),
                "--yes",
                "--wait",
                "--poll-interval",
                "1",
                "-o",
                "json",
            )
        )
        received = _requests_delta(before, b.info()["Requests"])
    calls = debug_calls(result.stderr)
    rounds = poll_rounds(calls)
    lookups = sum(1 for op, p in calls if op == "DescribeWorkspaces" and not p.get("WorkspaceIds"))
    polled = sum(r.calls for r in rounds)
    ok = bool(rounds) and all(r.calls == r.target for r in rounds)
    final = json.loads(result.stdout).get("Workspaces", [])
    section = Section("wait")
    section.data = {
        "size": FLEET_SIZE,
        "seconds": result.seconds,
        "rounds": [{"unsettled": r.unsettled, "calls": r.calls, "target": r.target} for r in rounds],
        "poll_calls": polled,
        "lookup_calls": lookups,
        "requests_received": received,
        "counters_agree": received.get("DescribeWorkspaces", 0) == polled + lookups,
        "available_at_end": sum(1 for w in final if w.get("State") == "AVAILABLE"),
    }
    shown = ", ".join(f"{r.unsettled}->{r.calls}" for r in rounds)
    section.rows.append(
        [
            f"`create --wait`, {FLEET_SIZE:,} WorkSpaces: DescribeWorkspaces calls per round (unsettled->calls)",
            shown,
            "no waiter",
            "-",
            "ceil(unsettled / 25)",
            _met(ok and section.data["counters_agree"]),
        ]
    )
    return section


def dry_run(b: Bench, runs: int) -> Section:
    info = b.reset()
    directory, bundle = seed_ids(info)
    path = fleet_yaml(b.workdir / "big.yaml", directory, bundle, users(DRY_RUN_ENTRIES, width=5))
    section = Section("dry_run")
    section.data = {"entries": DRY_RUN_ENTRIES, "runs": runs}
    with b.served() as url:
        for label, extra in (("table", ()), ("json", ("-o", "json"))):
            argv = b.wsctl_cmd("--endpoint-url", url, "create", "-f", str(path), "--dry-run", *extra)
            b.check(argv)  # warm up
            results = [b.check(argv) for _ in range(runs)]
            seconds = median([r.seconds for r in results])
            peak = max(r.max_rss_mib for r in results)
            section.data[label] = {
                "median_seconds": seconds,
                "all_seconds": [r.seconds for r in results],
                "max_rss_mib": peak,
            }
            ok = seconds < TARGET_DRY_RUN_SECONDS and peak < TARGET_DRY_RUN_MIB
            section.rows.append(
                [
                    f"`create --dry-run`{' -o json' if extra else ''}, {DRY_RUN_ENTRIES:,} entries: time, peak memory",
                    f"{_s(seconds)}, {peak:.0f} MiB",
                    "no batches",
                    "-",
                    f"< {TARGET_DRY_RUN_SECONDS:g} s, < {TARGET_DRY_RUN_MIB:g} MiB",
                    _met(ok),
                ]
            )
    section.rows.append(_invalid_entries(b, directory, bundle, section))
    return section


def _invalid_entries(b: Bench, directory: str, bundle: str, section: Section) -> list[str]:
    """A file of 100,000 entries, every one with the same typo: refused (exit 2) with a report of a few lines."""
    path = b.workdir / "invalid.yaml"
    head = f"defaults:\n  directory_id: {directory}\n  bundle_id: {bundle}\nworkspaces:\n"
    path.write_text(head + "".join(f"  - user: u{n}\n    running_mode: ALWAYS_ONN\n" for n in range(INVALID_ENTRIES)))
    argv = b.wsctl_cmd("--sandbox", "create", "-f", str(path), "--yes")
    result = run_timed(argv, b.env)
    lines = len(result.stderr.splitlines())
    if result.returncode != 2 or f"{INVALID_ENTRIES:,} problems found; nothing was sent." not in result.stderr:
        raise RuntimeError(f"{' '.join(argv)} exited {result.returncode}:\n{result.stderr[-3000:]}")
    section.data["invalid"] = {
        "entries": INVALID_ENTRIES,
        "seconds": result.seconds,
        "max_rss_mib": result.max_rss_mib,
        "stderr_lines": lines,
    }
    ok = result.seconds < TARGET_INVALID_SECONDS and result.max_rss_mib < TARGET_INVALID_MIB
    return [
        f"`create -f` of {INVALID_ENTRIES:,} invalid entries (exit 2, {lines} lines): time, peak memory",
        f"{_s(result.seconds)}, {result.max_rss_mib:.0f} MiB",
        "nothing sent",
        "-",
        f"< {TARGET_INVALID_SECONDS:g} s, < {TARGET_INVALID_MIB:g} MiB",
        _met(ok),
    ]


def sandbox_calls(b: Bench) -> Section:
    info = b.reset("--users", str(FLEET_SIZE), "--time-scale", "0")
    directory, bundle = seed_ids(info)
    with b.served() as url:
        script = [sys.executable, "-c", SANDBOX_CALLS, url, directory, bundle, str(FLEET_SIZE)]
        times = json.loads(b.check(script).stdout)
    section = Section("sandbox")
    section.data = {
        "workspaces": FLEET_SIZE,
        "create_calls": len(times["create"]),
        "describe_pages": len(times["describe"]),
        **{f"{kind}_median_seconds": median(values) for kind, values in times.items()},
        **{f"{kind}_max_seconds": max(values) for kind, values in times.items()},
    }
    for kind, label, target in (
        ("create", f"CreateWorkspaces of 25 ({len(times['create'])} calls)", TARGET_SANDBOX_CALL_SECONDS),
        ("describe", f"DescribeWorkspaces pages of {FLEET_SIZE:,}", TARGET_SANDBOX_CALL_SECONDS),
        ("latency", "one DescribeWorkspaces on a kept-alive connection", TARGET_SANDBOX_LATENCY_SECONDS),
    ):
        seconds = median(times[kind])
        section.rows.append(
            [
                f"sandbox over HTTP, {label}: median per call",
                f"{seconds * 1000:.1f} ms",
                "-",
                "-",
                f"< {target * 1000:g} ms",
                _met(seconds < target),
            ]
        )
    return section


# --- the machine and the report -----------------------------------------------------------------------


def machine(b: Bench) -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(dist: str) -> str:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    aws_version = run_timed(b.aws_cmd("--version"), b.env)
    return {
        "cpu": cpu or "unknown",
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "wsctl": version("wsctl-workspaces"),
        "awscli": version("awscli"),
        "aws_version_line": (aws_version.stdout or aws_version.stderr).strip(),
        "botocore": version("botocore"),
        "boto3": version("boto3"),
        "typer": version("typer"),
        "rich": version("rich"),
        "pyyaml": version("PyYAML"),
    }


def markdown(info: dict[str, Any], sections: Sequence[Section], when: str) -> str:
    m = info
    load = m.get("load_average")
    load_text = f"; load average at start {load[0]:.2f}" if load else ""
    lines = [
        f"Measured {when} on {m['cpu']} ({m['usable_cores']} cores{load_text}), {m['os']}, Python {m['python']}; "
        f"wsctl {m['wsctl']}, awscli {m['awscli']} with botocore {m['botocore']}. "
        "Medians of several runs; `python bench/bench.py` reproduces it.",
        "",
        "| measurement | wsctl | AWS CLI v1 | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for section in sections:
        for row in section.rows:
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


SECTIONS = ("startup", "one_call", "fleet", "lifecycle", "plan", "usage", "wait", "dry_run", "sandbox")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions; the fleet run once, no AWS CLI fleet")
    parser.add_argument("--runs", type=int, default=None, help="repetitions of each timed command (default 9, quick 3)")
    parser.add_argument("--fleet-runs", type=int, default=None, help="1,000-WorkSpace wsctl runs (default 3, quick 1)")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--no-aws-fleet", action="store_true", help="skip the AWS CLI's 40 create-workspaces calls")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where latest.json and latest.md go")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (for a look afterwards)")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 9)
    fleet_runs = args.fleet_runs or (1 if args.quick else 3)
    wanted = list(args.only or SECTIONS)

    workdir = Path(tempfile.mkdtemp(prefix="wsctl-bench-"))
    b = Bench(workdir)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    info = machine(b)
    print(f"bench: {info['cpu']}, {info['usable_cores']} cores, load {info['load_average']}", file=sys.stderr)
    jobs: dict[str, Callable[[], Section]] = {
        "startup": lambda: startup(b, runs),
        "one_call": lambda: one_call(b, max(3, runs)),
        "fleet": lambda: fleet(b, fleet_runs, with_aws=not (args.no_aws_fleet or args.quick)),
        "lifecycle": lambda: lifecycle(b),
        "plan": lambda: plan_apply(b),
        "usage": lambda: usage(b),
        "wait": lambda: wait_rounds(b),
        "dry_run": lambda: dry_run(b, max(3, runs // 3)),
        "sandbox": lambda: sandbox_calls(b),
    }
    sections: list[Section] = []
    try:
        for name in wanted:
            started = time.perf_counter()
            print(f"bench: {name} ...", file=sys.stderr, flush=True)
            sections.append(jobs[name]())
            print(f"bench: {name} done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"bench: kept {workdir}", file=sys.stderr)
    info["load_average_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    table = markdown(info, sections, when)
    report = {"when": when, "machine": info, "quick": args.quick, **{s.name: s.data for s in sections}}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    (args.out / "latest.md").write_text(table)
    print(table)
    print(f"bench: results in {args.out / 'latest.json'} and {args.out / 'latest.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
