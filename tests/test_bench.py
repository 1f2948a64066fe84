"""The benchmark's own measuring tools: what it parses out of wsctl's output, and the child's memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.bench import PollRound, Timed, debug_calls, poll_rounds, run_timed, summary_calls
from wsctl.render.create import summary_line


def test_summary_calls_reads_the_line_create_prints():
    line = summary_line(1000, 0, 0, "40 CreateWorkspaces, 1 DescribeWorkspaces", 19.4)
    assert summary_calls(f"Run record: /x.jsonl\n{line}\n") == {"CreateWorkspaces": 40, "DescribeWorkspaces": 1}
    assert summary_calls("no summary here") == {}


def _debug(op: str, **params: object) -> str:
    return f"debug: {op} {json.dumps(params, separators=(',', ':'))}"


def test_poll_rounds_split_where_an_id_is_asked_again():
    ids = [f"ws-{n:09d}" for n in range(60)]
    lines = [
        "2026-01-01T00:00:00Z waiting for 60 new WorkSpaces",
        _debug("DescribeWorkspaces", DirectoryId="d-1234567890"),  # the idempotency lookup: not a poll
        _debug("CreateWorkspaces", Workspaces=[]),
        "debug: DescribeWorkspaces -> HTTP 200 in 0.004s (retries: 0)",  # answers are not calls
        # round 1: 60 unsettled -> 3 calls (in completion order, not ID order)
        _debug("DescribeWorkspaces", WorkspaceIds=ids[25:50]),
        _debug("DescribeWorkspaces", WorkspaceIds=ids[:25]),
        _debug("DescribeWorkspaces", WorkspaceIds=ids[50:]),
        # round 2: 30 unsettled -> 2 calls
        _debug("DescribeWorkspaces", WorkspaceIds=ids[30:55]),
        _debug("DescribeWorkspaces", WorkspaceIds=ids[55:]),
        # round 3: 1 unsettled
        _debug("DescribeWorkspaces", WorkspaceIds=ids[59:]),
    ]
    calls = debug_calls("\n".join(lines))
    assert [op for op, _ in calls].count("DescribeWorkspaces") == 7
    rounds = poll_rounds(calls)
    assert rounds == [PollRound(60, 3), PollRound(30, 2), PollRound(1, 1)]
    assert [r.target for r in rounds] == [3, 2, 1]


def test_a_round_with_too_many_calls_shows():
    ids = [f"ws-{n:09d}" for n in range(30)]
    calls = debug_calls(
        "\n".join(_debug("DescribeWorkspaces", WorkspaceIds=chunk) for chunk in (ids[:10], ids[10:20], ids[20:]))
    )
    [only] = poll_rounds(calls)
    assert (only.unsettled, only.calls, only.target) == (30, 3, 2)


_MEASURE_FROM_A_SMALL_PARENT = """
import json, sys
from bench.bench import run_timed
small = run_timed([sys.executable, "-c", "pass"], {})
big = run_timed([sys.executable, "-c", "x = bytearray(200 * 2**20); x[::4096] = b'1' * len(x[::4096])"], {})
print(json.dumps([small.__dict__, big.__dict__]))
"""


def test_run_timed_measures_that_childs_peak_memory():
    # Linux counts a child's memory before its exec into its peak, and before the exec the child
    # is a copy of its parent: measured from a pytest worker (over 100 MiB with every test module
    # loaded), even `python -c pass` peaks above 100 MiB. bench.py is a small parent; so is this one.
    measured = subprocess.run(
        [sys.executable, "-c", _MEASURE_FROM_A_SMALL_PARENT],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    small, big = (Timed(**fields) for fields in json.loads(measured.stdout))
    assert small.returncode == big.returncode == 0
    assert small.max_rss_mib < 100 <= 200 <= big.max_rss_mib < 400
    assert big.seconds > 0
    failed = run_timed([sys.executable, "-c", "import sys; print('out'); sys.exit(3)"], {})
    assert (failed.returncode, failed.stdout) == (3, "out\n")
