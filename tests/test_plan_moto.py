"""plan and apply of a create-only file against moto's server (moto implements no property changes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_crosscheck_moto import BUNDLE, directory, moto_url, on_moto

pytestmark = pytest.mark.crosscheck
__all__ = ["directory", "moto_url"]  # the fixtures, used by name


def test_plan_then_apply_then_nothing_left_to_do(moto_url: str, directory: str, tmp_path: Path) -> None:
    users = [f"user{i:02d}" for i in range(30)]
    path = tmp_path / "fleet.yaml"
    path.write_text(
        f"defaults: {{directory_id: {directory}, bundle_id: {BUNDLE}, running_mode: ALWAYS_ON}}\n"
        f"workspaces:\n  - users: [{', '.join(users)}]\n"
    )
    planned = on_moto(moto_url, "plan", "-f", str(path), "--detailed-exitcode", "-o", "json")
    assert planned.exit_code == 5, planned.stderr
    assert sorted(r["UserName"] for r in planned.json()["Create"]) == users
    assert planned.json()["Calls"] == {"CreateWorkspaces": 2}
    applied = on_moto(moto_url, "apply", "-f", str(path), "--yes", "--wait", "--poll-interval", "0.05", "-o", "json")
    assert applied.exit_code == 0, applied.stderr
    assert sorted(w["UserName"] for w in applied.json()["Created"]) == users
    assert applied.json()["Converged"] is True
    again = on_moto(moto_url, "plan", "-f", str(path), "--detailed-exitcode", "-o", "json")
    assert again.exit_code == 0, again.stderr
    assert len(again.json()["Unchanged"]) == 30 and again.json()["Create"] == []
    second = on_moto(moto_url, "apply", "-f", str(path), "--yes")
    assert second.exit_code == 0 and "Nothing to change" in second.stderr
