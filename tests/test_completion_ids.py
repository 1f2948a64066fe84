"""`--directory-id` and `--bundle-id` complete IDs (the sandbox's catalogue, or a cache), never file names."""

from __future__ import annotations

import json
import time

import pytest

from tests.helpers import wsctl
from tests.sandbox_support import FAST, reset
from tests.test_completion import complete
from wsctl.cli.completion import cache_scope, remember_ids, remember_workspaces, scope_of
from wsctl.options import GlobalOptions
from wsctl.paths import state_dir
from wsctl.sandbox.seed import catalogue

SHELLS = ("bash", "zsh", "fish")


def test_the_catalogue_is_what_the_sandbox_seeds():
    info = wsctl("sandbox", "info", "-o", "json").json()
    seeded = catalogue()
    assert seeded["directories"] == {d["DirectoryId"]: d["DirectoryName"] for d in info["Directories"]}
    assert seeded["bundles"] == {b["BundleId"]: b["Name"] for b in info["Bundles"]}


@pytest.mark.parametrize("shell", SHELLS)
def test_sandbox_directories_complete_from_the_catalogue(shell: str):
    done = complete(shell, "wsctl --sandbox describe --directory-id ")
    assert set(done.values) == set(catalogue()["directories"])
    assert not done.files
    assert done.call.heavy_modules() == set()
    if shell != "bash":
        assert done.helps["d-318474464b"] == "corp.example.com"


@pytest.mark.parametrize(
    "line",
    [
        "wsctl stop --sandbox --bundle-id wsb-5",  # a global option after the command
        "wsctl --sandbox create --bundle-id wsb-5",
        "wsctl --sandbox migrate ws-0123abcd9 --bundle-id wsb-5",
        "wsctl --sandbox set-mode --bundle-id wsb-5",
    ],
)
def test_sandbox_bundles_complete_by_prefix(line: str):
    done = complete("bash", line)
    expected = sorted(i for i in catalogue()["bundles"] if i.startswith("wsb-5"))
    assert expected and sorted(done.values) == expected
    assert done.call.heavy_modules() == set()


def test_wsctl_sandbox_in_the_environment_means_the_sandbox(monkeypatch):
    call = complete("zsh", "wsctl describe --bundle-id wsb-u178")
    assert call.values == ["wsb-u178"]  # nothing known for AWS yet: the hint, not file names
    assert "run wsctl describe" in call.helps["wsb-u178"]
    monkeypatch.setenv("WSCTL_SANDBOX", "1")
    done = complete("zsh", "wsctl describe --bundle-id wsb-u178")
    assert done.values == ["wsb-u178ak55h"]
    assert done.helps["wsb-u178ak55h"] == "corp-broken-image"


@pytest.mark.parametrize("shell", SHELLS)
def test_nothing_known_is_never_file_names(shell: str, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d-looks-like-a-file").write_text("")
    done = complete(shell, "wsctl describe --directory-id d-")
    assert not done.files
    assert done.values == ["d-"]


def test_describe_remembers_what_it_saw_for_the_profile_and_region(monkeypatch):
    # A describe writes the cache of its scope; the scope is the same whether the profile and Region
    # come from flags or the environment.
    scope = scope_of(GlobalOptions(profile="ops", region="eu-west-1"))
    remember_workspaces(scope, [{"DirectoryId": "d-abcdef0123", "BundleId": "wsb-abcdef012"}])
    remember_ids(scope, "directories", {"d-abcdef0123": "corp.example.net", "d-0000000001": ""})
    by_flags = complete("bash", "wsctl --profile ops --region eu-west-1 stop --directory-id d-")
    assert sorted(by_flags.values) == ["d-0000000001", "d-abcdef0123"]
    monkeypatch.setenv("AWS_PROFILE", "ops")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    by_env = complete("zsh", "wsctl modify --bundle-id ")
    assert by_env.values == ["wsb-abcdef012"]
    assert complete("zsh", "wsctl stop --directory-id d-a").helps["d-abcdef0123"] == "corp.example.net"
    # another Region has its own IDs
    assert complete("bash", "wsctl --region us-east-2 stop --directory-id d-").values == ["d-"]


def test_a_sandbox_describe_writes_the_sandbox_cache():
    reset(*FAST)  # new WorkSpaces are visible after milliseconds
    assert wsctl("--sandbox", "create", "-f", "examples/fleet.yaml", "--yes").exit_code == 0
    time.sleep(0.05)
    assert wsctl("--sandbox", "describe", "-o", "ids").stdout.strip()
    path = (
        state_dir() / "completion" / f"{cache_scope(sandbox=True, profile=None, region=None, endpoint_url=None)}.json"
    )
    cached = json.loads(path.read_text())
    assert "d-318474464b" in cached["directories"]
    assert (path.parent.stat().st_mode & 0o777) == 0o700


def test_a_state_directory_that_cannot_be_written_does_not_fail_describe(tmp_path, monkeypatch):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the state directory would be")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))
    remember_ids("sandbox", "directories", {"d-318474464b": ""})  # no exception


def test_create_prompts_remember_the_directories_and_bundles_they_listed(monkeypatch):
    from wsctl.cli import interactive_create as prompts
    from wsctl.context import AppContext

    monkeypatch.setattr(prompts, "_select", lambda title, choices, **kw: choices[0].value)
    app = AppContext(GlobalOptions(sandbox=True))
    prompts.pick_directory(app)
    prompts.pick_bundle(app)
    path = state_dir() / "completion" / "sandbox.json"
    cached = json.loads(path.read_text())
    assert cached["directories"] == catalogue()["directories"]
    assert cached["bundles"] == catalogue()["bundles"]
