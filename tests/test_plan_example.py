"""examples/fleet-v2.yaml does what its comments say, after examples/fleet.yaml is applied."""

from __future__ import annotations

from pathlib import Path

from tests import sandbox_support as sb
from tests.helpers import wsctl

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FAST = ("--sandbox", "--max-rate", "1000", "--burst", "1000")


def test_the_second_fleet_file_plans_exactly_its_edits_and_applies_them():
    sb.reset(*sb.FAST)
    first = wsctl(*FAST, "apply", "-f", str(EXAMPLES / "fleet.yaml"), "--yes", "--wait", "--poll-interval", "0.05")
    assert first.exit_code == 0, first.stderr
    planned = wsctl(*FAST, "plan", "-f", str(EXAMPLES / "fleet-v2.yaml"), "-o", "json")
    assert planned.exit_code == 0, planned.stderr
    data = planned.json()
    assert [r["UserName"] for r in data["Create"]] == ["user0009"]
    assert {c["UserName"]: [x["Property"] for x in c["Changes"]] for c in data["Change"]} == {
        "user0001": ["RunningMode"],
        "user0002": ["ComputeTypeName"],
        "user0003": ["RootVolumeSizeGib", "UserVolumeSizeGib"],
        "user0004": ["Tags.team"],
    }
    assert [m["UserName"] for m in data["Migrate"]] == ["user0005"] and len(data["Extra"]) == 1
    assert data["CannotConverge"] == [] and len(data["Unchanged"]) == 2
    applied = wsctl(
        *FAST, "apply", "-f", str(EXAMPLES / "fleet-v2.yaml"), "--allow-migrate", "--prune", "--yes", "--wait",
        "--poll-interval", "0.05",
    )  # fmt: skip
    assert applied.exit_code == 0, applied.stderr
    assert "Converged" in applied.stderr
