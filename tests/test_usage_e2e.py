"""End to end on the sandbox: `wsctl usage` over 200 WorkSpaces of mixed profiles and running modes,
then `set-mode --by-usage --yes` applies exactly those switches and a rerun changes nothing.

The sandbox deals usage profiles by user number (wsctl.sandbox.usage): user0001 heavy (12 h a
day), user0002 part-time (5 h a day), user0003 light (1 h every other day), user0004 never,
then again. Users are given running modes in blocks of four, so every profile comes in both
modes. Expected, by hand, for 30 days of STANDARD (break-even 85 h):
- heavy: 30 sessions x (12 + 1) = 390 billable h; part-time: 30 x (5 + 1) = 180: AUTO_STOP -> ALWAYS_ON,
  ALWAYS_ON stays;
- light: 15 sessions x (1 + 1) = 30 billable h: ALWAYS_ON -> AUTO_STOP, AUTO_STOP stays;
- never: `unused` in either mode.
(A session cut by the window's edge can move a total by an hour; no recommendation is near its edge.)
"""

from __future__ import annotations

from typing import Any

import pytest

from tests import sandbox_support as sb
from tests.helpers import wsctl

SIZE = 200
PROFILES = ("heavy", "part-time", "light", "never")


def _user(n: int) -> str:
    return f"user{n:04d}"


def _mode_of(n: int) -> str:
    return "ALWAYS_ON" if (n - 1) // 4 % 2 else "AUTO_STOP"


def _expected(n: int) -> str:
    profile, mode = PROFILES[(n - 1) % 4], _mode_of(n)
    if profile == "never":
        return "unused"
    if profile in ("heavy", "part-time"):
        return "ALWAYS_ON" if mode == "AUTO_STOP" else "keep"
    return "AUTO_STOP" if mode == "ALWAYS_ON" else "keep"


def _make(size: int) -> dict[str, int]:
    """`size` WorkSpaces, user0001 on, modes in blocks of four; returns WorkspaceId -> user number."""
    seed = sb.reset(*sb.FAST, "--users", str(size), "--usage-days", "40")
    for mode in ("AUTO_STOP", "ALWAYS_ON"):
        names = [_user(n) for n in range(1, size + 1) if _mode_of(n) == mode]
        run = wsctl(*sb.create_args(seed, *names), "--running-mode", mode, "--yes", "--wait", "--poll-interval", "0.05")
        assert run.exit_code == 0, run.stderr
    described = wsctl("--sandbox", "describe", "-o", "json").json()["Workspaces"]
    by_id = {w["WorkspaceId"]: int(w["UserName"][4:]) for w in described if w["UserName"].startswith("user")}
    assert len(by_id) == size
    profiles = seed["UsageProfiles"]
    assert [profiles[_user(n)]["Profile"] for n in range(1, 5)] == list(PROFILES)
    return by_id


@pytest.fixture
def mixed_fleet() -> dict[str, int]:
    return _make(SIZE)


@pytest.fixture
def small_fleet() -> dict[str, int]:
    return _make(16)


def _usage(*args: str) -> dict[str, Any]:
    run = wsctl("--sandbox", "usage", *args, "-o", "json")
    assert run.exit_code == 0, run.stderr
    data: dict[str, Any] = run.json()
    return data


def test_usage_then_set_mode_by_usage_then_nothing(mixed_fleet: dict[str, int]):
    rows = {r["WorkspaceId"]: r for r in _usage()["Usage"]}
    assert len(rows) == SIZE
    got = {i: rows[i]["Recommendation"] for i in mixed_fleet}
    want = {i: _expected(n) for i, n in mixed_fleet.items()}
    assert got == want
    for workspace_id, n in mixed_fleet.items():
        row = rows[workspace_id]
        billable = {"heavy": 390, "part-time": 180, "light": 30, "never": 0}[PROFILES[(n - 1) % 4]]
        assert abs(row["BillableHours"] - billable) <= 2, (n, row)
    heavy_auto = next(
        i for i, n in mixed_fleet.items() if PROFILES[(n - 1) % 4] == "heavy" and _mode_of(n) == "AUTO_STOP"
    )
    assert "above the 85 h break-even for STANDARD: ALWAYS_ON saves ~" in rows[heavy_auto]["Reason"]

    switches = {i for i, r in want.items() if r in ("ALWAYS_ON", "AUTO_STOP")}
    counts_before = sb.counts()
    applied = wsctl("--sandbox", "set-mode", "--by-usage", "--yes", "-o", "json")
    assert applied.exit_code == 0, applied.stderr
    assert set(applied.json()["Modified"]) == switches
    sent = sb.counts().get("ModifyWorkspaceProperties", 0) - counts_before.get("ModifyWorkspaceProperties", 0)
    assert sent == len(switches)
    modes = {w["WorkspaceId"]: w["WorkspaceProperties"]["RunningMode"] for w in _described()}
    for workspace_id in switches:
        assert modes[workspace_id] == want[workspace_id]

    again = wsctl("--sandbox", "set-mode", "--by-usage", "--yes", "-o", "json")
    assert again.exit_code == 0, again.stderr
    assert again.json().get("Modified", []) == []
    assert "Nothing to change" in again.stderr


def _described() -> list[dict[str, Any]]:
    workspaces: list[dict[str, Any]] = wsctl("--sandbox", "describe", "-o", "json").json()["Workspaces"]
    return workspaces


def test_unused_ids_feed_another_command(small_fleet: dict[str, int]):
    run = wsctl("--sandbox", "usage", "--recommendation", "unused", "-o", "ids")
    assert run.exit_code == 0, run.stderr
    never = {i for i, n in small_fleet.items() if PROFILES[(n - 1) % 4] == "never"}
    assert set(run.stdout.split()) == never
    # A usage run makes read calls only
    before = sb.counts()
    _usage("--explain", next(iter(never)))
    changed = {op for op, n in sb.counts().items() if n != before.get(op, 0)}
    assert changed <= {
        "DescribeWorkspaces",
        "DescribeWorkspacesConnectionStatus",
        "DescribeTags",
        "GetMetricData",
    }, changed


def test_usage_over_http_gives_the_same_answer(small_fleet: dict[str, int]):
    import datetime as dt

    # One period for both runs: read twice either side of a 5-minute mark, "the last 14 days" differ by a point.
    until = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)).replace(second=0, microsecond=0).isoformat()
    period = ("--until", until, "--days", "14")
    local = {r["WorkspaceId"]: (r["BillableHours"], r["Recommendation"]) for r in _usage(*period)["Usage"]}
    with sb.served() as (url, _):
        run = wsctl("--endpoint-url", url, "usage", *period, "-o", "json")
    assert run.exit_code == 0, run.stderr
    remote = {r["WorkspaceId"]: (r["BillableHours"], r["Recommendation"]) for r in run.json()["Usage"]}
    assert remote == local
    assert "scaled linearly by 14/30" in wsctl("--sandbox", "usage", "--days", "14").stderr


def test_a_skip_convert_tag_in_any_case_keeps_a_workspace_out_of_the_changes(small_fleet: dict[str, int]):
    heavy_auto = [i for i, n in small_fleet.items() if PROFILES[(n - 1) % 4] == "heavy" and _mode_of(n) == "AUTO_STOP"]
    skipped, other = heavy_auto[0], heavy_auto[1:]
    assert other, small_fleet
    sb.client().create_tags(ResourceId=skipped, Tags=[{"Key": "skip_CONVERT", "Value": "yes"}])
    rows = {r["WorkspaceId"]: r for r in _usage()["Usage"]}
    assert rows[skipped]["Recommendation"] == "keep", rows[skipped]
    assert "Skip_Convert" in rows[skipped]["Reason"], rows[skipped]
    assert all(rows[i]["Recommendation"] == "ALWAYS_ON" for i in other)
    applied = wsctl("--sandbox", "set-mode", "--by-usage", "--yes", "-o", "json")
    assert applied.exit_code == 0, applied.stderr
    assert skipped not in applied.json()["Modified"]
    assert set(other) <= set(applied.json()["Modified"])
    # The sandbox answers DescribeTags: the tags were read, no warning that they could not be.
    assert not [line for line in applied.stderr.splitlines() if "warning" in line and "tag" in line.lower()]


def test_a_fixed_period_gives_the_same_answer_whenever_it_is_asked(small_fleet: dict[str, int]):
    import datetime as dt

    # Whole UTC days: no seeded session (07:00-19:00 at the longest) is cut by the period's edges.
    # Ten minutes back first: --until must be at least 5 minutes ago, even just after midnight.
    recent = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    midnight = recent.replace(hour=0, minute=0, second=0, microsecond=0)
    since, until = (midnight - dt.timedelta(days=30)).isoformat(), midnight.isoformat()
    fixed = _usage("--since", since, "--until", until)
    assert fixed["Period"]["Start"].startswith(since[:10]) and fixed["Period"]["End"].startswith(until[:10])
    assert fixed["Period"]["Days"] == 30
    hours = {r["UserName"]: (r["BillableHours"], r["Sessions"]) for r in fixed["Usage"]}
    exact = {"heavy": (390, 30), "part-time": (180, 30), "light": (30, 15), "never": (0, 0)}
    for user, got in hours.items():
        assert got == exact[PROFILES[(int(user[4:]) - 1) % 4]], (user, got)

    # The same period by its end and length. The last connection is of now, not of the period: a session
    # that begins between the two runs moves it.
    def of_the_period(answer: dict[str, Any]) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k != "LastKnownUserConnectionTimestamp"} for r in answer["Usage"]]

    assert of_the_period(_usage("--until", until, "--days", "30")) == of_the_period(fixed)


def test_a_rerun_of_set_mode_by_usage_after_a_long_timeout_changes_nothing(small_fleet: dict[str, int]):
    # A light user at a 180-minute timeout with a low break-even: 15 x (1 + 3) = 60 h above 50, but
    # 15 x (1 + 1) = 30 h at 60 minutes. Switching to ALWAYS_ON would be undone by the next run.
    light = next(i for i, n in small_fleet.items() if PROFILES[(n - 1) % 4] == "light" and _mode_of(n) == "AUTO_STOP")
    run = wsctl("--sandbox", "set-mode", light, "--running-mode", "AUTO_STOP", "--auto-stop-timeout", "180", "--yes")
    assert run.exit_code == 0, run.stderr
    flags = (light, "--by-usage", "--threshold", "STANDARD=50", "--yes", "-o", "json")
    first = wsctl("--sandbox", "set-mode", *flags)
    assert first.exit_code == 0, first.stderr
    assert first.json().get("Modified", []) == [], first.stderr
    assert "lower the timeout" in _usage(light, "--threshold", "STANDARD=50")["Usage"][0]["Reason"]


def test_ids_of_the_recommendation_asked_for_even_keep(small_fleet: dict[str, int]):
    keep = wsctl("--sandbox", "usage", "--recommendation", "keep", "-o", "ids")
    assert keep.exit_code == 0, keep.stderr
    rows = {r["WorkspaceId"]: r["Recommendation"] for r in _usage()["Usage"]}
    assert set(keep.stdout.split()) == {i for i, r in rows.items() if r == "keep"} != set()
    default = wsctl("--sandbox", "usage", "-o", "ids")
    assert set(default.stdout.split()) == {i for i, r in rows.items() if r != "keep"}
