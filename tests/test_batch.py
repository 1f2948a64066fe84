"""Batch input: friendly YAML, the AWS form, JSON, CSV and flags -> requests, with locations."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from wsctl.input.batch import FlagValues, load_batch

DIR = "d-1234567890"
DIR2 = "d-abcdef0123"
BUNDLE = "wsb-0123abcd9"


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return str(path)


def problems_of(files, flags=None) -> list[str]:
    return [str(p) for p in load_batch(files, flags or FlagValues()).problems]


def requests_of(files, flags=None) -> list[dict]:
    batch = load_batch(files, flags or FlagValues())
    assert batch.problems == []
    return [p.request for p in batch.requests]


def test_friendly_yaml_with_defaults_users_and_shorthand(tmp_path):
    path = write(
        tmp_path,
        "fleet.yaml",
        f"""
        defaults:
          directory_id: {DIR}
          bundle_id: {BUNDLE}
          running_mode: AUTO_STOP
          auto_stop_timeout: 120
          tags: {{team: finance, site: berlin}}
        workspaces:
          - users: [alice, bob]
          - user: carol
            running_mode: ALWAYS_ON
            tags: {{team: trading}}
          - dave
        """,
    )
    reqs = requests_of([path])
    assert [r["UserName"] for r in reqs] == ["alice", "bob", "carol", "dave"]
    assert reqs[0] == {
        "DirectoryId": DIR,
        "BundleId": BUNDLE,
        "UserName": "alice",
        "WorkspaceProperties": {"RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 120},
        "Tags": [{"Key": "team", "Value": "finance"}, {"Key": "site", "Value": "berlin"}],
    }
    # carol chose ALWAYS_ON: the inherited timeout does not follow her; her tag wins over the default.
    assert reqs[2]["WorkspaceProperties"] == {"RunningMode": "ALWAYS_ON"}
    assert {t["Key"]: t["Value"] for t in reqs[2]["Tags"]} == {"team": "trading", "site": "berlin"}


def test_precedence_entry_then_flags_then_defaults(tmp_path):
    path = write(
        tmp_path,
        "fleet.yaml",
        f"""
        defaults: {{directory_id: {DIR}, bundle_id: wsb-default01, compute_type: VALUE}}
        workspaces:
          - user: alice
          - user: bob
            bundle_id: wsb-entry0001
        """,
    )
    flags = FlagValues(bundle_id="wsb-flag00001", tags=[{"Key": "team", "Value": "flag"}])
    reqs = requests_of([path], flags)
    assert reqs[0]["BundleId"] == "wsb-flag00001"
    assert reqs[1]["BundleId"] == "wsb-entry0001"
    assert reqs[0]["WorkspaceProperties"]["ComputeTypeName"] == "VALUE"
    assert reqs[0]["Tags"] == [{"Key": "team", "Value": "flag"}]


def test_problem_locations_point_at_the_key(tmp_path):
    path = write(
        tmp_path,
        "fleet.yaml",
        f"""
        defaults:
          directory_id: {DIR}
          bundle_id: {BUNDLE}
        workspaces:
          - user: alice
            running_mode: ALWAYS-ON
        """,
    )
    assert problems_of([path]) == [
        f"{path}:6:5: running_mode: 'ALWAYS-ON' is not one of AUTO_STOP, ALWAYS_ON, MANUAL (did you mean ALWAYS_ON?)"
    ]


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(
        tmp_path,
        "fleet.yaml",
        f"""
        defaults: {{directory_id: {DIR}, bundle_id: {BUNDLE}}}
        workspaces:
          - user: alice
            auto_stop_timeout: 90
          - user: bob
            root_volume_size: 5000
          - user: alice
          - user: carol
            colour: blue
        """,
    )
    found = problems_of([path])
    assert len(found) == 4
    assert f"{path}:4:5: auto_stop_timeout: 90 minutes is not a multiple of 60 (try 60 or 120)" in found
    assert any("root_volume_size: 5000 GiB is outside 1-2000 GiB" in p for p in found)
    assert any("user 'alice' appears twice" in p and f"first at {path}:3:5" in p for p in found)
    assert any(f"{path}:9:5: colour: unknown key" in p for p in found)


def test_missing_required_values_say_how_to_give_them(tmp_path):
    path = write(tmp_path, "fleet.yaml", "workspaces:\n  - user: alice\n")
    found = problems_of([path], FlagValues(directory_id=DIR))
    assert found == [
        f"{path}:2:5: bundle_id: is required (give bundle_id in the entry or in defaults:, or pass --bundle-id)"
    ]


def test_a_bad_default_is_reported_once_not_per_entry(tmp_path):
    users = ", ".join(f"u{i}" for i in range(100))
    path = write(
        tmp_path,
        "fleet.yaml",
        f"""
        defaults: {{directory_id: {DIR}, bundle_id: nope}}
        workspaces:
          - users: [{users}]
        """,
    )
    found = problems_of([path])
    assert len(found) == 1
    assert "bundle_id: 'nope' does not match" in found[0]
    assert found[0].startswith(f"{path}:1:")


def test_aws_form_yaml_and_json_without_the_25_limit(tmp_path):
    props = "WorkspaceProperties: {RunningMode: MANUAL}"
    entries = "\n".join(
        f"  - {{DirectoryId: {DIR}, UserName: user{i}, BundleId: {BUNDLE}, {props}}}" for i in range(30)
    )
    path = write(tmp_path, "cli-input.yaml", "Workspaces:\n" + entries + "\n")
    batch = load_batch([path], FlagValues())
    assert batch.problems == []
    assert len(batch.requests) == 30
    assert batch.warnings and "MANUAL" in batch.warnings[0] and "(30 WorkSpaces)" in batch.warnings[0]
    json_path = write(
        tmp_path,
        "cli-input.json",
        f'{{\n\t"Workspaces": [\n\t\t{{"DirectoryId": "{DIR}", "UserName": "x", "BundleId": "wsb-bad"}}\n\t]\n}}\n',
    )
    found = problems_of([json_path])
    assert len(found) == 1 and "Workspaces[0].BundleId: 'wsb-bad' does not match" in found[0]


def test_aws_form_locations_and_flags_fill_gaps(tmp_path):
    path = write(
        tmp_path,
        "cli.yaml",
        f"""
        Workspaces:
          - DirectoryId: {DIR}
            UserName: alice
            WorkspaceProperties:
              RunningMode: ALWAYS-ON
          - DirectoryId: {DIR}
            UserName: bob
        """,
    )
    found = problems_of([path], FlagValues(bundle_id=BUNDLE))
    assert found == [
        f"{path}:5:7: Workspaces[0].WorkspaceProperties.RunningMode: 'ALWAYS-ON' is not one of AUTO_STOP, "
        "ALWAYS_ON, MANUAL (did you mean ALWAYS_ON?)"
    ]


def test_csv_with_bom_tags_and_row_numbers(tmp_path):
    path = tmp_path / "users.csv"
    path.write_bytes(
        "\ufeffuser,bundle_id,running_mode,auto_stop_timeout,encrypt_root,tags\n"
        f"alice,{BUNDLE},AUTO_STOP,60,no,team=a;site=b\n"
        f"bob,{BUNDLE},ALWAYS_ON,,yes,\n".encode()
    )
    reqs = requests_of([str(path)], FlagValues(directory_id=DIR, volume_encryption_key="alias/ws"))
    assert reqs[0]["Tags"] == [{"Key": "team", "Value": "a"}, {"Key": "site", "Value": "b"}]
    assert reqs[0]["RootVolumeEncryptionEnabled"] is False
    assert reqs[1]["RootVolumeEncryptionEnabled"] is True
    assert reqs[1]["WorkspaceProperties"] == {"RunningMode": "ALWAYS_ON"}


def test_csv_problems_name_the_row(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(f"user,bundle_id,auto_stop_timeout\nalice,{BUNDLE},sixty\nbob,{BUNDLE}\ncarol,{BUNDLE},60,extra\n")
    found = problems_of([str(path)], FlagValues(directory_id=DIR))
    assert f"{path} row 2: auto_stop_timeout: 'sixty' is not a whole number" in found
    assert any(p.startswith(f"{path} row 3: has 2 cells") for p in found)
    assert any(p.startswith(f"{path} row 4: has 4 cells") for p in found)


def test_csv_unknown_column_suggests(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("user,bundle,running_mode\nalice,x,AUTO_STOP\n")
    assert problems_of([str(path)]) == [f"{path} row 1: bundle: unknown column (did you mean bundle_id?)"]


def test_flags_only(tmp_path):
    flags = FlagValues(directory_id=DIR, bundle_id=BUNDLE, users=["alice", "bob"], running_mode="ALWAYS_ON")
    reqs = requests_of([], flags)
    assert [r["UserName"] for r in reqs] == ["alice", "bob"]
    assert all(r["WorkspaceProperties"] == {"RunningMode": "ALWAYS_ON"} for r in reqs)


def test_flag_problems_name_the_flag():
    flags = FlagValues(
        directory_id=DIR, bundle_id=BUNDLE, users=["alice"], running_mode="always_on", auto_stop_timeout=60
    )
    found = problems_of([], flags)
    assert found == ["--running-mode: 'always_on' is not one of AUTO_STOP, ALWAYS_ON, MANUAL (did you mean ALWAYS_ON?)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("workspaces:\n\t- user: a\n", ":2:1: YAML syntax error: a tab character"),
        ("workspaces: [a, b\n", "YAML syntax error"),
        ("!!python/object/apply:os.system ['echo pwned']\n", "unsupported tag"),
        ("workspaces:\n  - user: a\n    user: b\n", "duplicate key 'user'"),
        ("- a\n- b\n", "expected a mapping"),
        ("workspaces: {user: a}\n", "must be a list"),
        ("defaults: [1]\nworkspaces: [a]\n", "defaults: must be a mapping"),
        ("workspace:\n  - a\n", "unknown top-level key (did you mean workspaces?)"),
    ],
)
def test_hostile_and_broken_yaml(tmp_path, text, expected):
    path = write(tmp_path, "bad.yaml", text)
    found = problems_of([path], FlagValues(directory_id=DIR, bundle_id=BUNDLE))
    assert any(expected in p for p in found), found
    assert all(p.startswith(path) for p in found)


def test_alias_bomb_is_refused(tmp_path):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        levels.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    path = write(tmp_path, "bomb.yaml", "\n".join(levels) + "\nworkspaces: *a8\n")
    found = problems_of([path])
    assert len(found) == 1 and "alias bomb" in found[0]


def test_empty_binary_and_non_utf8_files(tmp_path):
    empty = write(tmp_path, "empty.yaml", "")
    binary = tmp_path / "blob.yaml"
    binary.write_bytes(b"\x00\x01\x02workspaces")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("user\nJos\xe9\n".encode("latin-1"))
    found = problems_of([empty, str(binary), str(latin)])
    assert any(p.startswith(f"{empty}: is empty") for p in found)
    assert any(p.startswith(f"{binary}: is a binary file") for p in found)
    assert any(p.startswith(f"{latin}: is not UTF-8 text") for p in found)


def test_numbers_where_text_is_expected_are_taken_as_written(tmp_path):
    path = write(
        tmp_path, "fleet.yaml", f"defaults: {{directory_id: {DIR}, bundle_id: {BUNDLE}}}\nworkspaces:\n  - 1234\n"
    )
    batch = load_batch([path], FlagValues())
    assert batch.problems == [] and batch.requests[0].request["UserName"] == "1234"


def test_a_number_given_an_explicit_tag_where_text_is_expected_says_how_to_quote(tmp_path):
    path = write(
        tmp_path,
        "fleet.yaml",
        f"defaults: {{directory_id: {DIR}, bundle_id: {BUNDLE}}}\nworkspaces:\n  - user: !!int 1234\n",
    )
    assert problems_of([path]) == [f"{path}:3:5: user: 1234 is a number, not text (in YAML, quote it: '1234')"]


def test_merge_keys_are_supported(tmp_path):
    path = write(
        tmp_path,
        "fleet.yaml",
        f"""
        base: &base
        workspaces:
          - &common {{user: alice, directory_id: {DIR}, bundle_id: {BUNDLE}}}
          - <<: *common
            user: bob
        """,
    )
    found = problems_of([path])
    assert found == [f"{path}:1:1: base: unknown top-level key (did you mean defaults?)"] or any(
        "base" in p for p in found
    )
    ok = write(
        tmp_path,
        "ok.yaml",
        f"""
        workspaces:
          - &common {{user: alice, directory_id: {DIR}, bundle_id: {BUNDLE}}}
          - <<: *common
            user: bob
        """,
    )
    assert [r["UserName"] for r in requests_of([ok])] == ["alice", "bob"]


def test_users_in_two_directories_are_not_duplicates(tmp_path):
    flags = FlagValues(bundle_id=BUNDLE)
    path = write(
        tmp_path,
        "f.yaml",
        f"workspaces:\n  - {{user: a, directory_id: {DIR}}}\n  - {{user: a, directory_id: {DIR2}}}\n",
    )
    assert len(requests_of([path], flags)) == 2


def test_undefined_user_needs_a_workspace_name(tmp_path):
    path = write(
        tmp_path,
        "f.yaml",
        f"defaults: {{directory_id: {DIR}, bundle_id: {BUNDLE}}}\nworkspaces:\n  - user: '[UNDEFINED]'\n",
    )
    found = problems_of([path])
    assert len(found) == 1 and "needs a WorkspaceName" in found[0]


def test_the_shipped_examples_are_valid():
    root = Path(__file__).resolve().parent.parent / "examples"
    files = sorted(str(p) for p in root.iterdir() if p.suffix in (".yaml", ".yml", ".json", ".csv"))
    assert files
    for path in files:
        batch = load_batch([path], FlagValues(directory_id=DIR, bundle_id=BUNDLE))
        assert batch.problems == [], path
        assert batch.requests, path


def test_aws_form_does_not_inherit_a_timeout_into_another_running_mode(tmp_path):
    path = write(
        tmp_path,
        "cli.yaml",
        f"""
        Workspaces:
          - {{DirectoryId: {DIR}, UserName: a, BundleId: {BUNDLE}, WorkspaceProperties: {{RunningMode: ALWAYS_ON}}}}
          - {{DirectoryId: {DIR}, UserName: b, BundleId: {BUNDLE}}}
        """,
    )
    reqs = requests_of([path], FlagValues(auto_stop_timeout=120))
    assert reqs[0]["WorkspaceProperties"] == {"RunningMode": "ALWAYS_ON"}
    assert reqs[1]["WorkspaceProperties"] == {"RunningModeAutoStopTimeoutInMinutes": 120}
