"""`wsctl describe --sandbox` on a 24x80 terminal: every WorkSpace's ID, user and state on screen, uncut."""

from __future__ import annotations

import re
import time

from tests.helpers import wsctl
from tests.pty_support_help import screen_of
from tests.sandbox_support import FAST, reset


def _fleet() -> list[dict[str, str]]:
    reset(*FAST)
    assert wsctl("--sandbox", "create", "-f", "examples/fleet.yaml", "--yes").exit_code == 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # new WorkSpaces show up, then settle, after a moment
        found = wsctl("--sandbox", "describe", "-o", "json").json()["Workspaces"]
        if len(found) == 8 and all(ws["State"] == "AVAILABLE" for ws in found):  # settled: the screen shows these
            return list(found)
        time.sleep(0.02)
    raise AssertionError("the fleet did not settle")


def test_describe_on_24x80_shows_every_id_user_and_state_uncut():
    fleet = _fleet()
    rows = screen_of("describe", "--sandbox", rows=24, columns=80)
    assert max(len(row) for row in rows) <= 80
    for ws in fleet:
        row = next((r for r in rows if ws["WorkspaceId"] in r), None)
        assert row is not None, f"{ws['WorkspaceId']} is not on screen (cut or wrapped?):\n" + "\n".join(rows)
        # the whole words, bounded by the table's borders or spaces, on the same row
        for value in (ws["WorkspaceId"], ws["UserName"], ws["State"]):
            assert re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", row), f"{value!r} cut in {row!r}"
        assert "…" not in row, f"a cell is cut: {row!r}"
    # and nothing scrolled off the top: the title is still there, the summary last
    shown = [r for r in rows if r.strip()]
    assert "WorkSpaces" in shown[0] and shown[-1].startswith(f"{len(fleet)} WorkSpaces"), "\n".join(rows)
