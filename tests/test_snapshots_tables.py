"""Every table wsctl prints, drawn at 60, 80, 120 and 200 columns, compared with reviewed snapshots.

To update the snapshots after an intended layout change, review the diff, then:

    python -m pytest tests/test_snapshots_tables.py --snapshot-update

The scenario runs the real commands once per test process against a sandbox with --seed 0
and --time-scale 0 (every change is done at once, so states do not depend on timing): the
IDs are the same in every run. Image creation times are the only varying text; they are
replaced by a fixed value of the same length (tests/snapshot_support.py TIMESTAMP). Widths
come from COLUMNS, as on a terminal. Beside the snapshots, every rendering is checked for
what must hold at any width: no line wider than the terminal, every WorkSpace ID whole,
and each row's user name (and, in describe, its state) whole on the row's line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from tests import sandbox_support as sb
from tests.helpers import wsctl
from tests.snapshot_support import any_key, only, record_outcomes, render
from wsctl.options import OutputFormat
from wsctl.render.outcome import Outcome

WIDTHS = (60, 80, 120, 200)
# IDs as the sandbox makes them (wsctl/sandbox/ids.py); a cut one is shorter and not known.
ID = re.compile(r"\b(?:ws|wsb|wsi)-[0-9a-z]+|\b(?:ami|d)-[0-9a-f]+\b")
_ENV_PREFIXES = ("AWS_", "WSCTL_", "XDG_")
LONG_USERS = ("sandbox-rebuild-fails", "sandbox-update-fails")
MISSING_USERS = [f"no-such-user-{i:02d}" for i in range(1, 23)]


def _ok(*args: str) -> list[Outcome]:
    with record_outcomes() as shown:
        run = wsctl("--sandbox", *args)
    assert run.exit_code in (0, 3), (args, run.stdout, run.stderr)
    return shown


def _ids(outcome: Outcome) -> list[str]:
    return [str(i) for i in outcome.ids]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Outcomes of a mixed fleet's commands, by name. Isolated like tests/conftest.py's isolated_env."""
    import os

    root = tmp_path_factory.mktemp("snapshots")
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(_ENV_PREFIXES):
                mp.delenv(name, raising=False)
        (root / "home" / ".aws").mkdir(parents=True)
        for name, value in {
            "HOME": str(root / "home"),
            "XDG_STATE_HOME": str(root / "state"),
            "XDG_CACHE_HOME": str(root / "cache"),
            "XDG_CONFIG_HOME": str(root / "config"),
            "WSCTL_SANDBOX_DB": str(root / "sandbox.sqlite3"),
            "AWS_ACCESS_KEY_ID": "AKIATESTFAKEFAKEFAKE",
            "AWS_SECRET_ACCESS_KEY": "test-secret-fake-fake-fake-fake",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "WSCTL_MAX_RATE": "1000",
            "WSCTL_BURST": "1000",
            "COLUMNS": "200",
        }.items():
            mp.setenv(name, value)
        yield _run_scenario()


def _run_scenario() -> dict[str, Any]:
    seed = sb.reset("--time-scale", "0", "--seed", "0")
    directory = sb.primary_directory(seed)["DirectoryId"]
    bundle = sb.bundle_id(seed)
    broken = sb.failing_bundle_id(seed)
    wait = ("--wait", "--poll-interval", "0.01")
    got: dict[str, Any] = {}

    def create(*users: str, bundle_id: str = bundle, extra: tuple[str, ...] = ()) -> list[Outcome]:
        flags = [f for u in users for f in ("--user", u)]
        return _ok("create", "--directory-id", directory, "--bundle-id", bundle_id, *flags, "--yes", *extra)

    first = ("user0001", "user0002", *LONG_USERS, "no-such-user")
    got["create plan"] = only(create(*first, extra=("--dry-run",)))
    got["create results"] = only(create(*first))
    got["sandbox info"] = only(_ok("sandbox", "info"))
    got["sandbox info"].data["Settings"]["Database"] = "/tmp/wsctl-sandbox.sqlite3"
    got["create wait"] = only(create("user0003", "user0001", bundle_id=broken, extra=wait))
    ids = {w["UserName"]: w["WorkspaceId"] for w in got["create wait"].data["Workspaces"]}
    ids.update({w["UserName"]: w["WorkspaceId"] for w in got["create results"].data["PendingRequests"]})
    got["stop wait"] = only(_ok("stop", ids["user0002"], ids[LONG_USERS[0]], "--yes", *wait))
    got["describe"] = only(_ok("describe"))
    got["describe columns"] = only(
        _ok("describe", "--columns", "WorkspaceId,UserName,State,ErrorCode,ErrorMessage,RootVolumeSizeGib")
    )
    running = [ids["user0001"], ids[LONG_USERS[1]]]
    got["set-mode plan"] = only(_ok("set-mode", *running, "--running-mode", "ALWAYS_ON", "--dry-run"))
    got["set-mode results"] = only(_ok("set-mode", *running, "--running-mode", "ALWAYS_ON", "--yes", *wait))
    got["modify plan"] = only(_ok("modify", *running, "--compute-type", "POWER", "--dry-run"))
    got["modify results"] = only(_ok("modify", *running, "--compute-type", "POWER", "--yes"))
    got["reboot plan"] = only(_ok("reboot", "--directory-id", directory, "--dry-run"))
    got["start results"] = only(_ok("start", ids["user0002"], ids["user0001"], "--yes"))
    image = ("--ingestion-process", "BYOL_REGULAR", "--description", "Windows 11 golden image")
    got["import-image"] = only(_ok("import-image", "--ec2-image-id", sb.ami_id(seed), "--name", "win11-golden", *image))
    failing = sb.ami_id(seed, failing=True)
    got["import-image wait"] = _ok("import-image", "--ec2-image-id", failing, "--name", "domain-joined", *image, *wait)[
        -1
    ]
    got["describe-images"] = only(_ok("describe-images"))
    # More than 20 items: results list what did not succeed and count the rest.
    many = [f"user{i:04d}" for i in range(10, 35)]
    got["create many"] = only(create(*many, *MISSING_USERS))
    got["create many wait"] = only(create(*many[:21], "user0003", bundle_id=bundle, extra=wait))
    got["stop many"] = only(_ok("stop", *_ids(got["create many"])[:22], ids["user0002"], "--yes"))
    # New commands' tables: checked at every width (not snapshotted: usage's period and last
    # connections follow the clock).
    got["usage"] = only(_ok("usage"))
    got["plan"] = only(_ok("plan", "-f", "examples/fleet-v2.yaml"))
    return got


NAMES = (
    "create plan",
    "create results",
    "sandbox info",
    "create wait",
    "stop wait",
    "describe",
    "describe columns",
    "set-mode plan",
    "set-mode results",
    "modify plan",
    "modify results",
    "reboot plan",
    "start results",
    "import-image",
    "import-image wait",
    "describe-images",
    "create many",
    "create many wait",
    "stop many",
)


def _workspaces(data: Any) -> list[dict[str, Any]]:
    """Every WorkSpace description (a dict with WorkspaceId and UserName) anywhere in `data`."""
    if isinstance(data, list):
        return [w for v in data for w in _workspaces(v)]
    if not isinstance(data, dict):
        return []
    here = [data] if "WorkspaceId" in data and "UserName" in data else []
    return here + [w for v in data.values() for w in _workspaces(v)]


def _users_and_states(scenario: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    described = [w for o in scenario.values() for w in _workspaces(o.data)]
    states = {w["WorkspaceId"]: w["State"] for w in described if "State" in w}
    return {w["WorkspaceId"]: w["UserName"] for w in described}, states


def check_whole(name: str, text: str, width: int, scenario: dict[str, Any]) -> None:
    """What must hold at any width, whatever the snapshot says: see the module docstring.

    A cell that is an ID must be a whole known ID; the row of a WorkSpace (its ID the first
    cell) must have its user name as a whole cell, and in describe its state too. IDs inside
    wrapped prose (an error message) may wrap with it.
    """
    users, states = _users_and_states(scenario)
    kinds = ("ImageId", "BundleId", "DirectoryId")
    known = set(users) | {str(v) for o in scenario.values() for k in kinds for v in any_key(o.data, k)}
    rows = 0
    for line in text.splitlines():
        # Chosen --columns are never dropped: a table too wide for them takes the width it needs.
        if name != "describe columns":
            assert len(line) <= width, f"{name} at {width}: too wide: {line!r}"
        cells = [c.strip() for c in re.split(r"[│┃|]", line)[1:-1]]
        for cell in cells if cells and cells[0] else []:  # a row's first line, not wrapped prose after it
            if ID.fullmatch(cell):
                assert cell in known, f"{name} at {width}: cut or unknown ID {cell!r} in {line!r}"
        if cells and cells[0] in users:
            rows += 1
            assert users[cells[0]] in cells, f"{name} at {width}: user of {cells[0]} not whole in {line!r}"
            if name in ("describe", "describe columns"):
                assert states[cells[0]] in cells, f"{name} at {width}: state of {cells[0]} not whole in {line!r}"
    if any(o is scenario[name] for o in scenario.values()) and _workspaces(scenario[name].data):
        assert rows or "not listed" in text, f"{name} at {width}: no WorkSpace row found"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", NAMES)
def test_table_layout(name: str, width: int, scenario: dict[str, Any], snapshot: SnapshotAssertion) -> None:
    out, err = render(scenario[name], width)
    check_whole(name, out, width, scenario)
    assert f"{out}--- stderr ---\n{err}" == snapshot


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["usage", "plan"])
def test_new_tables_fit(name: str, width: int, scenario: dict[str, Any]) -> None:
    out, _ = render(scenario[name], width)  # stderr: prose lines, wrapped by the terminal
    if name == "usage":
        check_whole(name, out, width, scenario)
        return
    # The plan is lines, not a table: each one fits, and every WorkSpace and user it names is whole.
    assert all(len(line) <= width for line in out.splitlines()), out
    data = scenario[name].data
    named = [(c["WorkspaceId"], c["UserName"]) for c in data["Change"]] + [
        (m["WorkspaceId"], m["UserName"]) for m in data["Migrate"]
    ]
    assert named, data
    for workspace_id, user in named:
        assert re.search(rf"{workspace_id} {user}\b", out), f"{workspace_id} {user} not whole at {width}:\n{out}"


@pytest.mark.parametrize("name", ["create many", "create many wait", "stop many"])
def test_verbose_and_wide_list_every_item(name: str, scenario: dict[str, Any], snapshot: SnapshotAssertion) -> None:
    outcome = scenario[name]
    short, _ = render(outcome, 120)
    verbose, _ = render(outcome, 120, verbose=True)
    wide, _ = render(outcome, 120, output=OutputFormat.wide)
    assert "--verbose lists all" in short and "--verbose lists all" not in verbose + wide
    listed = set(ID.findall(verbose))
    for workspace_id in _ids(outcome):
        assert workspace_id in verbose and workspace_id in wide, workspace_id
    assert listed
    check_whole(name, verbose, 120, scenario)
    assert verbose == snapshot
