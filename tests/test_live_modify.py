"""What a two-step `modify --wait` says while it runs: the steps, the changes by name, the run's time."""

from __future__ import annotations

import re

from tests import sandbox_support as sb
from tests.helpers import wsctl
from wsctl.ops.modify import change_text


def test_change_lines_name_the_property_and_both_values():
    before = {"RootVolumeSizeGib": 80, "UserVolumeSizeGib": 50, "RunningMode": "AUTO_STOP"}
    before["ComputeTypeName"] = "STANDARD"
    assert change_text(before, {"UserVolumeSizeGib": 100}) == "user volume 50 -> 100 GiB"
    assert change_text(before, {"RootVolumeSizeGib": 175}) == "root volume 80 -> 175 GiB"
    assert change_text(before, {"RunningMode": "ALWAYS_ON"}) == "running mode AUTO_STOP -> ALWAYS_ON"
    assert change_text(before, {"ComputeTypeName": "PERFORMANCE"}) == "compute STANDARD -> PERFORMANCE"
    both = change_text(before, {"UserVolumeSizeGib": 100, "RootVolumeSizeGib": 175})
    assert both == "root volume 80 -> 175 GiB, user volume 50 -> 100 GiB"
    assert change_text(before, {"RunningMode": "AUTO_STOP"}) == ""  # nothing changes


def test_a_two_step_modify_keeps_each_step_on_screen_names_the_changes_and_ends_with_the_run_time():
    _, ids = sb.make_fleet(2)
    run = wsctl(
        "--sandbox", "modify", *ids, "--root-volume-size", "175", "--user-volume-size", "100",
        "--yes", "--wait", "--poll-interval", "0.05", "-o", "json",
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    lines = run.stderr.splitlines()
    assert any(re.fullmatch(r"Step 1 applied to 2/2 in \d+ s\.", line) for line in lines), run.stderr
    assert any(re.fullmatch(r"Step 2 of 2 sent to 2/2 in \d+ s\.", line) for line in lines), run.stderr
    for workspace_id in ids:  # each wait names its own step, not "AVAILABLE -> AVAILABLE"
        mine = [line for line in lines if f" {workspace_id} " in line]
        assert any(line.endswith(" user volume 50 -> 100 GiB applied") for line in mine), run.stderr
        assert any(line.endswith(" root volume 80 -> 175 GiB applied") for line in mine), run.stderr
    assert "AVAILABLE -> AVAILABLE" not in run.stderr
    assert re.fullmatch(r"Done in \d+ s: 2 AVAILABLE\.", lines[-1]), run.stderr  # the summary line is last
