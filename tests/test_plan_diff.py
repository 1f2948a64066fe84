"""The plan computation alone: a fleet file's requests against described WorkSpaces, no calls."""

from __future__ import annotations

from typing import Any

from wsctl.spec.plan_diff import PropertyChange, diff_fleet

DIR = "d-1234567890"
BUNDLE = "wsb-0123abcd9"


def ws(user: str, n: int = 1, *, state: str = "AVAILABLE", bundle: str = BUNDLE, **props: Any) -> dict[str, Any]:
    base = {
        "RunningMode": "AUTO_STOP",
        "RunningModeAutoStopTimeoutInMinutes": 60,
        "RootVolumeSizeGib": 80,
        "UserVolumeSizeGib": 50,
        "ComputeTypeName": "STANDARD",
    }
    return {
        "WorkspaceId": f"ws-{user}{n:04d}",
        "DirectoryId": DIR,
        "UserName": user,
        "BundleId": bundle,
        "State": state,
        "WorkspaceProperties": {**base, **props},
        "RootVolumeEncryptionEnabled": False,
        "UserVolumeEncryptionEnabled": False,
    }


def req(user: str, bundle: str = BUNDLE, tags: dict[str, str] | None = None, **props: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"DirectoryId": DIR, "UserName": user, "BundleId": bundle}
    if props:
        out["WorkspaceProperties"] = props
    if tags is not None:
        out["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    return out


def test_a_user_without_a_workspace_is_created_and_one_not_in_the_file_is_extra():
    plan = diff_fleet([req("alice"), req("bob")], [ws("bob"), ws("carol")], {})
    assert [r["UserName"] for r in plan.create] == ["alice"]
    assert [w["UserName"] for w in plan.unchanged] == ["bob"]
    assert [w["UserName"] for w in plan.extra] == ["carol"]
    assert plan.calls() == {"CreateWorkspaces": 1}  # extras are terminated only with prune
    assert diff_fleet([req("bob")], [ws("bob"), ws("carol")], {}, prune=True).calls() == {"TerminateWorkspaces": 1}


def test_users_match_case_insensitively_and_a_terminating_workspace_is_not_theirs():
    plan = diff_fleet([req("Alice"), req("bob")], [ws("alice"), ws("bob", state="TERMINATING")], {})
    assert [w["UserName"] for w in plan.unchanged] == ["alice"]
    assert [r["UserName"] for r in plan.create] == ["bob"]
    assert plan.extra == []


def test_a_migrated_workspace_is_still_the_users_whatever_its_new_id():
    source = ws("dave", 1, state="TERMINATED")
    target = ws("dave", 2, state="PENDING", bundle="wsb-newbundle1")
    plan = diff_fleet([req("dave", "wsb-newbundle1")], [source, target], {})
    assert plan.unchanged == [target] and not plan.migrate and not plan.create


def test_running_mode_timeout_and_compute_change_in_one_call():
    plan = diff_fleet(
        [req("a", RunningMode="ALWAYS_ON"), req("b", RunningModeAutoStopTimeoutInMinutes=120, ComputeTypeName="POWER")],
        [ws("a"), ws("b")],
        {},
    )
    a, b = plan.change
    assert a.changes == [PropertyChange("RunningMode", "AUTO_STOP", "ALWAYS_ON")]
    assert a.steps == [{"RunningMode": "ALWAYS_ON"}]
    assert b.steps == [{"RunningModeAutoStopTimeoutInMinutes": 120, "ComputeTypeName": "POWER"}]
    assert plan.calls() == {"ModifyWorkspaceProperties": 2}


def test_both_volumes_grow_in_two_calls_user_first_from_80():
    plan = diff_fleet([req("a", RootVolumeSizeGib=175, UserVolumeSizeGib=100)], [ws("a")], {})
    (change,) = plan.change
    assert change.steps == [{"UserVolumeSizeGib": 100}, {"RootVolumeSizeGib": 175}]
    assert [c.property for c in change.changes] == ["RootVolumeSizeGib", "UserVolumeSizeGib"]
    assert change.target == {"UserVolumeSizeGib": 100, "RootVolumeSizeGib": 175}


def test_compute_and_volume_go_in_separate_calls():
    plan = diff_fleet([req("a", ComputeTypeName="POWER", UserVolumeSizeGib=100)], [ws("a")], {})
    assert plan.change[0].steps == [{"ComputeTypeName": "POWER"}, {"UserVolumeSizeGib": 100}]


def test_a_shrink_cannot_converge_and_nothing_is_sent_for_it():
    plan = diff_fleet(
        [req("a", RootVolumeSizeGib=80, UserVolumeSizeGib=100, RunningMode="ALWAYS_ON")],
        [ws("a", RootVolumeSizeGib=175, UserVolumeSizeGib=100)],
        {},
    )
    (blocked,) = plan.cannot
    assert blocked.change == PropertyChange("RootVolumeSizeGib", 175, 80)
    assert "cannot shrink" in blocked.reason and "terminate" in blocked.reason
    assert plan.change[0].steps == [{"RunningMode": "ALWAYS_ON"}]  # what can change still does


def test_a_pair_no_order_reaches_cannot_converge():
    plan = diff_fleet([req("a", RootVolumeSizeGib=100)], [ws("a")], {})
    assert [b.change.property for b in plan.cannot] == ["RootVolumeSizeGib"]
    assert "allowed combination" in plan.cannot[0].reason and not plan.change


def test_a_compute_change_aws_forbids_cannot_converge():
    plan = diff_fleet(
        [req("a", ComputeTypeName="GRAPHICSPRO_G4DN"), req("b", ComputeTypeName="GRAPHICSPRO_G4DN")],
        [ws("a"), ws("b", ComputeTypeName="GRAPHICS_G4DN", RootVolumeSizeGib=100, UserVolumeSizeGib=100)],
        {},
    )
    assert [b.workspace["UserName"] for b in plan.cannot] == ["a"]
    assert "bundle" in plan.cannot[0].reason
    assert plan.change[0].steps == [{"ComputeTypeName": "GRAPHICSPRO_G4DN"}]


def test_encryption_and_protocol_cannot_converge():
    wanted = {**req("a", Protocols=["WSP"]), "RootVolumeEncryptionEnabled": True}
    plan = diff_fleet([wanted], [ws("a", Protocols=["PCOIP"])], {})
    assert sorted(b.change.property for b in plan.cannot) == ["Protocols", "RootVolumeEncryptionEnabled"]
    assert not plan.change and not plan.unchanged


def test_a_bundle_change_is_a_migration_done_only_when_allowed():
    requests, current = [req("a", "wsb-otherbundle1")], [ws("a")]
    assert diff_fleet(requests, current, {}).calls() == {}
    plan = diff_fleet(requests, current, {}, allow_migrate=True)
    assert [(m.workspace["UserName"], m.bundle_id) for m in plan.migrate] == [("a", "wsb-otherbundle1")]
    assert plan.calls() == {"MigrateWorkspace": 1}


def test_tags_are_the_whole_set_when_given_and_left_alone_otherwise():
    current = {
        "ws-a0001": [{"Key": "team", "Value": "red"}, {"Key": "old", "Value": "1"}, {"Key": "aws:x", "Value": ""}]
    }
    plan = diff_fleet([req("a", tags={"team": "blue", "new": "2"})], [ws("a")], current)
    (change,) = plan.change
    assert change.tags_set == [{"Key": "team", "Value": "blue"}, {"Key": "new", "Value": "2"}]
    assert change.tags_removed == ["old"]  # aws: keys belong to AWS
    assert PropertyChange("Tags.old", "1", None) in change.changes
    assert plan.calls() == {"CreateTags": 1, "DeleteTags": 1}
    untouched = diff_fleet([req("a")], [ws("a")], current)
    assert untouched.unchanged and not untouched.change


def test_a_change_being_applied_is_not_sent_again_and_the_next_step_follows_it():
    applying = ws("a", UserVolumeSizeGib=50)
    applying["ModificationStates"] = [{"Resource": "USER_VOLUME", "State": "UPDATE_IN_PROGRESS"}]
    plan = diff_fleet([req("a", RootVolumeSizeGib=175, UserVolumeSizeGib=100)], [applying], {})
    assert [(w["UserName"], c.property) for w, c in plan.in_progress] == [("a", "UserVolumeSizeGib")]
    assert plan.change[0].steps == [{"RootVolumeSizeGib": 175}]


def test_workspaces_without_a_user_are_matched_by_name():
    undefined = {**ws("[UNDEFINED]"), "WorkspaceName": "kiosk-1"}
    wanted = {**req("[UNDEFINED]"), "WorkspaceName": "kiosk-1"}
    plan = diff_fleet([wanted, {**wanted, "WorkspaceName": "kiosk-2"}], [undefined], {})
    assert plan.unchanged == [undefined] and [r["WorkspaceName"] for r in plan.create] == ["kiosk-2"]


def test_what_the_endpoint_does_not_report_is_not_compared():
    described = ws("a")
    del described["WorkspaceProperties"]["RootVolumeSizeGib"]
    del described["WorkspaceProperties"]["UserVolumeSizeGib"]
    plan = diff_fleet([req("a", RootVolumeSizeGib=175, UserVolumeSizeGib=100, Protocols=["WSP"])], [described], {})
    assert plan.unchanged == [described] and not plan.change and not plan.cannot


def test_switching_to_auto_stop_sends_the_timeout_the_file_gives():
    current = ws("a", RunningMode="ALWAYS_ON")
    del current["WorkspaceProperties"]["RunningModeAutoStopTimeoutInMinutes"]
    plan = diff_fleet([req("a", RunningMode="AUTO_STOP", RunningModeAutoStopTimeoutInMinutes=120)], [current], {})
    assert plan.change[0].steps == [{"RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 120}]


def test_what_else_a_migrating_entry_asks_for_is_shown_with_the_migration():
    request = req("a", "wsb-otherbundle1", tags={"team": "new"}, RunningMode="ALWAYS_ON", ComputeTypeName="POWER")
    plan = diff_fleet([request], [ws("a")], {"ws-a0001": [{"Key": "team", "Value": "old"}]}, allow_migrate=True)
    (migration,) = plan.migrate
    # The compute type and volumes come with the bundle; the running mode and tags are the file's to set after.
    assert migration.after == [
        PropertyChange("RunningMode", "AUTO_STOP", "ALWAYS_ON"),
        PropertyChange("Tags.team", "old", "new"),
    ]
    assert not plan.change and not plan.in_progress
    from wsctl.render.plan import plan_data, plan_lines

    assert plan_data(plan)["Migrate"][0]["ThenChanges"] == [
        {"Property": "RunningMode", "From": "AUTO_STOP", "To": "ALWAYS_ON"},
        {"Property": "Tags.team", "From": "old", "To": "new"},
    ]
    assert "    then RunningMode: AUTO_STOP -> ALWAYS_ON (once migrated)" in plan_lines(plan, None)
