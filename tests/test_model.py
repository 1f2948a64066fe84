"""Validation from the installed botocore's service model."""

from __future__ import annotations

from wsctl.spec import enums as modeldata
from wsctl.spec import model


def request(**overrides):
    base = {"DirectoryId": "d-1234567890", "UserName": "alice", "BundleId": "wsb-0123abcd9"}
    base.update(overrides)
    return {"Workspaces": [base]}


def test_valid_request_has_no_problems():
    assert model.validate("CreateWorkspaces", request()) == []


def test_enum_problem_suggests_the_nearest_value():
    problems = model.validate("CreateWorkspaces", request(WorkspaceProperties={"RunningMode": "ALWAYS-ON"}))
    assert len(problems) == 1
    p = problems[0]
    assert p.path == ("Workspaces", 0, "WorkspaceProperties", "RunningMode")
    assert p.kind == "enum"
    assert "did you mean ALWAYS_ON?" in p.message
    for mode in modeldata.enum_values("RunningMode"):
        assert mode in p.message


def test_required_members_and_patterns_and_lengths():
    problems = model.validate(
        "CreateWorkspaces",
        {"Workspaces": [{"DirectoryId": "d-XYZ", "UserName": "x" * 64, "BundleId": "bundle"}, {"UserName": "bob"}]},
    )
    by_path = {p.path_str: p for p in problems}
    assert by_path["Workspaces[0].DirectoryId"].kind == "length"  # 5 chars < min 10
    assert by_path["Workspaces[0].UserName"].kind == "length"
    assert by_path["Workspaces[0].BundleId"].kind == "pattern"
    assert "wsb-" in by_path["Workspaces[0].BundleId"].message  # shows an example
    assert by_path["Workspaces[1].DirectoryId"].kind == "required"
    assert by_path["Workspaces[1].BundleId"].kind == "required"


def test_pattern_dollar_does_not_accept_a_trailing_newline():
    problems = model.validator().validate_shape("WorkspaceId", "ws-abcdefgh1\n")
    assert [p.kind for p in problems] == ["pattern"]
    assert model.validator().validate_shape("WorkspaceId", "ws-abcdefgh1") == []


def test_list_sizes_and_int32_bounds_and_types():
    too_many = {"Workspaces": request()["Workspaces"] * 26}
    assert [p.kind for p in model.validate("CreateWorkspaces", too_many)] == ["items"]
    problems = model.validate(
        "CreateWorkspaces", request(WorkspaceProperties={"RootVolumeSizeGib": 2**31, "UserVolumeSizeGib": "50"})
    )
    kinds = {p.member: p.kind for p in problems}
    assert kinds == {"RootVolumeSizeGib": "range", "UserVolumeSizeGib": "type"}


def test_unknown_members_are_reported_with_a_suggestion():
    problems = model.validate("CreateWorkspaces", request(BundleID="wsb-0123abcd9"))
    assert problems[0].kind == "unknown"
    assert "did you mean BundleId?" in problems[0].message


def test_huge_values_are_cut_short_in_messages():
    problems = model.validate("CreateWorkspaces", request(UserName="u" * 10_000))
    assert len(problems[0].message) < 200


def test_aws_style_message_for_the_sandbox():
    problems = model.validate("CreateWorkspaces", request(BundleId="nope"))
    text = model.aws_validation_message(problems)
    assert text.startswith("1 validation error detected: Value 'nope' at 'workspaces.1.member.bundleId'")
    assert "regular expression pattern" in text


def test_light_reader_agrees_with_botocore():
    import botocore.session

    shapes = botocore.session.get_session().get_service_model("workspaces")
    for name in ("RunningMode", "Compute", "WorkspaceImageIngestionProcess", "WorkspaceState", "Application"):
        assert modeldata.enum_values(name) == tuple(shapes.shape_for(name).enum)  # type: ignore[attr-defined]
    assert "MANUAL" in modeldata.enum_values("RunningMode")
    assert {"BYOL_REGULAR_BYOP", "BYOL_GRAPHICS_G4DN_BYOP"} <= set(
        modeldata.enum_values("WorkspaceImageIngestionProcess")
    )


def test_with_unknown_volume_sizes_each_volume_gets_a_call_of_its_own_user_first():
    from wsctl.spec.rules import plan_volume_steps

    unknown = {"WorkspaceProperties": {"ComputeTypeName": "STANDARD"}}  # as moto describes a WorkSpace
    assert plan_volume_steps(unknown, 175, 100) == [{"UserVolumeSizeGib": 100}, {"RootVolumeSizeGib": 175}]
    assert plan_volume_steps(unknown, 175, None) == [{"RootVolumeSizeGib": 175}]
    assert plan_volume_steps(unknown, None, None) == []


def test_dcv_in_an_ingestion_process_suggests_the_wsp_family():
    processes = modeldata.enum_values("WorkspaceImageIngestionProcess")
    assert model.suggest("BYOL_REGULAR_DCV", processes) == "BYOL_REGULAR_WSP"
    assert model.suggest("byol-graphics-g4dn-dcv", processes) == "BYOL_GRAPHICS_G4DN_WSP"
    assert model.suggest("BYOL_REGULR", processes) == "BYOL_REGULAR"
