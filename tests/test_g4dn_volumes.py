"""Graphics.g4dn needs both volumes at 100 GiB or more: refused before sending, and by the sandbox as AWS does."""

from __future__ import annotations

from pathlib import Path

from tests import sandbox_support as sb
from tests.helpers import wsctl


def test_a_g4dn_compute_type_with_small_volumes_is_refused_before_sending():
    seed = sb.reset()
    run = wsctl(
        *sb.create_args(seed, "user0001"),
        "--compute-type",
        "GRAPHICS_G4DN",
        "--root-volume-size",
        "80",
        "--user-volume-size",
        "10",
    )
    assert run.exit_code == 2
    assert "GRAPHICS_G4DN needs root and user volumes of at least 100 GiB" in run.stderr
    assert "CreateWorkspaces" not in sb.counts()


def test_a_call_refused_for_one_entry_loses_none_of_the_others(tmp_path: Path):
    seed = sb.reset(*sb.FAST)
    directory = sb.primary_directory(seed)["DirectoryId"]
    standard, g4dn = sb.bundle_id(seed), sb.bundle_id(seed, "GRAPHICS_G4DN")
    batch = tmp_path / "mixed.yaml"
    batch.write_text(
        f"defaults: {{directory_id: {directory}, bundle_id: {standard}}}\n"
        "workspaces:\n"
        "  - user0001\n"
        f"  - {{user: user0002, bundle_id: {g4dn}, root_volume_size: 80, user_volume_size: 10}}\n"
        "  - user0003\n"
        "  - user0004\n"
    )
    run = wsctl("--sandbox", "create", "-f", str(batch), "--yes", "-o", "json")
    assert run.exit_code == 3, run.stderr
    data = run.json()
    assert sorted(w["UserName"] for w in data["PendingRequests"]) == ["user0001", "user0003", "user0004"]
    [failed] = data["FailedRequests"]
    assert failed["WorkspaceRequest"]["UserName"] == "user0002"
    assert failed["ErrorCode"] == "InvalidParameterValuesException" and "(100+|100+)" in failed["ErrorMessage"]
    described = wsctl("--sandbox", "describe", "--directory-id", directory, "-o", "json").json()["Workspaces"]
    assert sorted(w["UserName"] for w in described) == ["user0001", "user0003", "user0004"]


def test_the_sandbox_refuses_the_whole_call_as_aws_does():
    import pytest
    from botocore.exceptions import ClientError

    seed = sb.reset()
    c = sb.client()
    sizes = {"RootVolumeSizeGib": 80, "UserVolumeSizeGib": 10}
    small = sb.request(seed, "user0001", compute="GRAPHICS_G4DN", WorkspaceProperties=sizes)
    with pytest.raises(ClientError) as caught:
        c.create_workspaces(Workspaces=[sb.request(seed, "user0002"), small])
    assert sb.error_of(caught)[:1] == ("InvalidParameterValuesException",)
    assert c.describe_workspaces()["Workspaces"] == []  # nothing of that call was created
