"""`describe --columns` picks the table's columns by their JSON names; a wrong name costs no call."""

from __future__ import annotations

import pytest

from tests import sandbox_support as sb
from tests.helpers import wsctl
from tests.snapshot_support import only, record_outcomes, render
from wsctl.render.columns import PATHS, resolve


def test_names_and_paths_are_where_describe_json_has_them() -> None:
    sb.make_fleet(1)
    workspace = wsctl("--sandbox", "describe", "-o", "json").json()["Workspaces"][0]
    found = []
    for name, path in PATHS.items():
        parent, _, key = path.rpartition(".")
        assert key == name, path
        holder = workspace.get(parent, {}) if parent else workspace
        if name in holder:  # the service leaves out empty keys (ErrorCode on a healthy WorkSpace)
            found.append(name)
    assert {"WorkspaceId", "UserName", "State", "RunningMode", "ComputeTypeName", "IpAddress"} <= set(found)
    names, problems = resolve("WorkspaceId, workspaceproperties.runningmode,IP,Compute,UserName,UserName")
    assert problems == [] and names == ["WorkspaceId", "RunningMode", "IpAddress", "ComputeTypeName", "UserName"]


def test_names_are_members_of_the_service_model() -> None:
    from botocore.model import StructureShape
    from botocore.session import get_session

    model = get_session().get_service_model("workspaces")
    workspace, properties = model.shape_for("Workspace"), model.shape_for("WorkspaceProperties")
    assert isinstance(workspace, StructureShape) and isinstance(properties, StructureShape)
    for name, path in PATHS.items():
        members = properties.members if path.startswith("WorkspaceProperties.") else workspace.members
        assert name in members, path


def test_chosen_columns_in_order_and_nothing_else() -> None:
    sb.make_fleet(2)
    with record_outcomes() as shown:
        run = wsctl("--sandbox", "describe", "--columns", "UserName,WorkspaceId,RootVolumeSizeGib")
    assert run.exit_code == 0, run.stderr
    header = next(line for line in run.stdout.splitlines() if "UserName" in line)
    assert header.index("UserName") < header.index("WorkspaceId") < header.index("RootVolumeSizeGib")
    for absent in ("State", "BundleId", "DirectoryId", "Compute"):
        assert absent not in header
    # JSON keeps every key whatever --columns says.
    as_json = wsctl("--sandbox", "describe", "--columns", "UserName", "-o", "json").json()["Workspaces"][0]
    assert "BundleId" in as_json and "WorkspaceProperties" in as_json
    # On a narrow terminal chosen columns are never dropped (the default table would drop some).
    out, _ = render(only(shown), 60)
    assert "RootVolumeSizeGib" in out and "Not shown" not in out


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("WorkspaceId,UserNmae", "unknown column 'UserNmae' (did you mean UserName?)"),
        ("Stat", "unknown column 'Stat' (did you mean State?)"),
        ("bogus", "unknown column 'bogus'; valid names: WorkspaceId, UserName, State"),
        (",", "no column names in ','"),
    ],
)
def test_an_unknown_name_is_a_usage_error_before_any_call(value: str, expected: str) -> None:
    sb.reset(*sb.FAST)
    before = sb.counts()
    run = wsctl("--sandbox", "describe", "--columns", value)
    assert run.exit_code == 2
    assert expected in run.stderr and "--columns" in run.stderr and "Nothing was sent" in run.stderr
    assert "Traceback" not in run.stderr
    assert sb.counts() == before


def test_the_footer_names_the_columns_left_out_only_when_some_are() -> None:
    sb.make_fleet(1)
    with record_outcomes() as shown:
        assert wsctl("--sandbox", "describe").exit_code == 0
    narrow, _ = render(only(shown), 80)
    wide, _ = render(only(shown), 200)
    footer = " ".join(narrow[narrow.index("Not shown, to fit the terminal:") :].split())
    assert "Modifications" in footer and "IP" in footer and "WorkspaceId" not in footer
    assert "Not shown" not in wide
