"""The plan as a person reads it: marks, `from -> to`, the summary, and lines that fit without cutting names."""

from __future__ import annotations

import pytest

from tests.test_plan_diff import req, ws
from wsctl.render.plan import plan_data, plan_lines
from wsctl.spec.plan_diff import FleetPlan, diff_fleet

# 55 characters: with the indent, the longest that fits in 60 columns (AWS allows 63)
LONG_USER = "a-very-long-user-name-from-a-directory-that-likes-them-0"


def sample(prune: bool = False) -> FleetPlan:
    return diff_fleet(
        [
            req(LONG_USER, RunningMode="ALWAYS_ON"),
            req("bob", RootVolumeSizeGib=80, UserVolumeSizeGib=10),
            req("carol"),
            req("dave", "wsb-otherbundle1"),
        ],
        [{**ws(LONG_USER), "WorkspaceId": "ws-0123abcd9"}, ws("bob"), ws("erin"), ws("dave")],
        {},
        prune=prune,
    )


@pytest.mark.parametrize("width", [60, 80, 200, None])
def test_every_line_fits_and_ids_and_user_names_are_whole(width):
    lines = plan_lines(sample(), width)
    if width is not None:
        assert max(len(line) for line in lines) <= width, "\n".join(lines)
    text = "\n".join(lines)
    for whole in (LONG_USER, "ws-0123abcd9", "ws-bob0001", "ws-erin0001", "carol"):
        assert any(whole in line for line in lines), text


def test_marks_and_arrows_in_the_spirit_of_terraform():
    lines = plan_lines(sample(prune=True), None)
    assert f"~ change ws-0123abcd9 {LONG_USER}" in lines
    assert "    RunningMode: AUTO_STOP -> ALWAYS_ON" in lines
    assert "+ create carol in d-1234567890" in lines
    assert "> migrate ws-dave0001 dave (not done without --allow-migrate: it recreates the root volume)" in lines
    assert "    BundleId: wsb-0123abcd9 -> wsb-otherbundle1" in lines
    assert "- terminate ws-erin0001 erin (not in the file)" in lines
    assert "! cannot converge ws-bob0001 bob" in lines and "    UserVolumeSizeGib: 50 -> 10" in lines
    assert lines[-1].startswith(
        "Plan: 1 to create, 1 to change, 1 to migrate (--allow-migrate), 1 extra to terminate, 1 cannot converge"
    )
    assert lines[-1].endswith(
        "apply would make 1 CreateWorkspaces, 1 ModifyWorkspaceProperties, 1 TerminateWorkspaces."
    )


def test_the_json_shape_of_the_issue():
    data = plan_data(sample())
    assert set(data) >= {"Create", "Change", "Migrate", "Extra", "CannotConverge", "Unchanged"}
    assert data["Change"] == [
        {
            "WorkspaceId": "ws-0123abcd9",
            "UserName": LONG_USER,
            "Changes": [{"Property": "RunningMode", "From": "AUTO_STOP", "To": "ALWAYS_ON"}],
        }
    ]
    (blocked,) = data["CannotConverge"]
    assert {k: blocked[k] for k in ("WorkspaceId", "UserName", "Property", "From", "To")} == {
        "WorkspaceId": "ws-bob0001",
        "UserName": "bob",
        "Property": "UserVolumeSizeGib",
        "From": 50,
        "To": 10,
    }
    assert data["Extra"] == ["ws-erin0001"] and data["Create"][0]["UserName"] == "carol"
