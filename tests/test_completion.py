"""Shell completion through Typer's `_WSCTL_COMPLETE` protocol, the shipped scripts, and start-up imports.

Every completion here runs the real `wsctl` in a subprocess, exactly as the shell scripts
call it, and each call is also checked to import neither boto3/botocore (so no AWS call can
happen) nor Rich.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main

from wsctl.cli import describe
from wsctl.cli.app import app
from wsctl.cli.completion import ingestion_process_help
from wsctl.cli.completion_scripts import SCRIPTS, generate, stale, write_all
from wsctl.input import batch
from wsctl.ops import images as import_image
from wsctl.ops import modify, set_mode
from wsctl.spec import enums as modeldata

ROOT = Path(__file__).resolve().parent.parent
SHELLS = ("bash", "zsh", "fish")
HEAVY = ("boto3", "botocore", "rich")

# Runs wsctl as its console script does, then reports the exit code and every module it loaded.
HARNESS = r"""
import json, os, runpy, sys
code = 0
sys.argv = ["wsctl", *sys.argv[1:]]
try:
    runpy.run_module("wsctl", run_name="__main__")
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
sys.stdout.flush()
sys.stderr.write("\nWSCTL_TEST=" + json.dumps({"exit": code, "modules": sorted(sys.modules)}) + "\n")
"""


@dataclass
class Called:
    stdout: str
    stderr: str
    exit_code: int
    modules: set[str]

    def heavy_modules(self, roots: tuple[str, ...] = HEAVY) -> set[str]:
        return {m for m in self.modules if m.split(".")[0] in roots}


def run_wsctl(*args: str, env_extra: dict[str, str] | None = None) -> Called:
    env = {**os.environ, **(env_extra or {})}
    proc = subprocess.run([sys.executable, "-c", HARNESS, *args], capture_output=True, text=True, env=env, timeout=60)
    marker = next(line for line in proc.stderr.splitlines() if line.startswith("WSCTL_TEST="))
    report = json.loads(marker[len("WSCTL_TEST=") :])
    stderr = proc.stderr.replace(marker, "").strip()
    return Called(proc.stdout, stderr, report["exit"], set(report["modules"]))


@dataclass
class Completion:
    values: list[str]
    helps: dict[str, str]
    files: bool  # the shell should complete file names itself
    call: Called


def complete(shell: str, line: str) -> Completion:
    """What `wsctl` answers when `shell` asks to complete `line` (the text left of the cursor)."""
    if shell == "bash":
        words = line.split()
        cword = len(words) if line.endswith(" ") else len(words) - 1
        env = {"_WSCTL_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword)}
        call = run_wsctl(env_extra=env)
        values = [v for v in call.stdout.splitlines() if v]
        # The bash script is installed with `complete -o default`: no answer means file names.
        return Completion(values, {}, not values, call)
    if shell == "zsh":
        call = run_wsctl(env_extra={"_WSCTL_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": line})
        return _parse_zsh(call)
    env = {"_WSCTL_COMPLETE": "complete_fish", "_TYPER_COMPLETE_ARGS": line}
    call = run_wsctl(env_extra={**env, "_TYPER_COMPLETE_FISH_ACTION": "get-args"})
    # fish asks first whether wsctl has candidates at all; "no" (exit 1) lets fish complete file names.
    is_args = run_wsctl(env_extra={**env, "_TYPER_COMPLETE_FISH_ACTION": "is-args"})
    assert is_args.heavy_modules() == set()
    pairs = [entry.split("\t", 1) for entry in call.stdout.splitlines() if entry]
    values = [p[0] for p in pairs]
    assert (is_args.exit_code == 0) == bool(values), "fish's two questions must agree"
    return Completion(values, {p[0]: p[1] for p in pairs if len(p) == 2}, is_args.exit_code == 1, call)


def _parse_zsh(call: Called) -> Completion:
    out = call.stdout.strip()
    if out == "_files":
        return Completion([], {}, True, call)
    match = re.fullmatch(r"_arguments '\*: :\(\((.*)\)\)'", out, re.DOTALL)
    assert match, f"not an _arguments spec: {out!r}"
    values, helps = [], {}
    for entry in match.group(1).split("\n"):
        item = re.fullmatch(r'"((?:[^"]|"")*)"(?::"((?:[^"]|"")*)")?', entry)
        assert item, f"a zsh candidate must be one line: {entry!r}"
        value = _zsh_unescape(item.group(1))
        values.append(value)
        if item.group(2) is not None:
            helps[value] = _zsh_unescape(item.group(2))
    return Completion(values, helps, False, call)


def _zsh_unescape(text: str) -> str:
    return text.replace(r"\\:", ":").replace("\\`", "`").replace("\\$", "$").replace("''", "'").replace('""', '"')


def assert_light(result: Completion) -> None:
    assert result.call.exit_code == 0, result.call.stderr
    assert result.call.heavy_modules() == set()
    assert "Traceback" not in result.call.stderr


# --- the shipped scripts ------------------------------------------------------------------------


def test_shipped_scripts_are_what_the_cli_generates():
    assert stale() == [], "run: python -m wsctl.cli.completion_scripts"


def test_a_stale_or_missing_script_is_reported(tmp_path):
    write_all(tmp_path)
    assert stale(tmp_path) == []
    (tmp_path / SCRIPTS["bash"]).write_text(generate("bash").replace("wsctl", "wsctl-old"))
    (tmp_path / SCRIPTS["fish"]).unlink()
    assert stale(tmp_path) == [tmp_path / SCRIPTS["bash"], tmp_path / SCRIPTS["fish"]]
    check = subprocess.run(
        [sys.executable, "-m", "wsctl.cli.completion_scripts", "--check", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 1
    assert "wsctl.bash: out of date" in check.stderr and "wsctl.fish: out of date" in check.stderr


def test_the_scripts_call_wsctl_back_through_the_completion_protocol():
    for shell, name in SCRIPTS.items():
        text = (ROOT / "completions" / name).read_text()
        assert f"_WSCTL_COMPLETE=complete_{shell}" in text
    assert (ROOT / "completions" / "_wsctl").read_text().startswith("#compdef wsctl\n")
    assert "complete -o default -F _wsctl_completion wsctl" in (ROOT / "completions" / "wsctl.bash").read_text()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_bash_script_completes_in_a_real_bash(tmp_path):
    shim = tmp_path / "bin" / "wsctl"  # the `wsctl` the script calls back, whatever is installed
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m wsctl "$@"\n')
    shim.chmod(0o755)
    script = ROOT / "completions" / "wsctl.bash"
    program = f"""
source '{script}'
complete -p wsctl
ask() {{
  COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=()
  _wsctl_completion wsctl; echo "[${{COMPREPLY[*]}}]"
}}
ask wsctl create --running-mode A
ask wsctl set-mode --running-mode ""
ask wsctl create -f ""
ask wsctl des
"""
    env = {**os.environ, "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(["bash", "--norc", "-c", program], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "-o default" in lines[0]  # no candidates -> bash completes file names
    modes = modeldata.enum_values(modeldata.RUNNING_MODE)
    assert lines[1] == f"[{' '.join(m for m in modes if m.startswith('A'))}]"
    assert lines[2] == f"[{' '.join(modes)}]"
    assert lines[3] == "[]"
    assert lines[4] == "[describe describe-images]"


# --- what completion offers -----------------------------------------------------------------------


def _expected(shape: str, prefix: str = "") -> list[str]:
    return [v for v in modeldata.enum_values(shape) if v.upper().startswith(prefix.upper())]


ENUM_CASES = [
    ("wsctl create --running-mode ", modeldata.RUNNING_MODE, ""),
    ("wsctl set-mode ws-0123abcd9 --running-mode AL", modeldata.RUNNING_MODE, "AL"),
    ("wsctl create --compute-type ", modeldata.COMPUTE, ""),
    ("wsctl modify --compute-type GRAPHICS", modeldata.COMPUTE, "GRAPHICS"),
    ("wsctl describe --state ST", modeldata.WORKSPACE_STATE, "ST"),
    ("wsctl import-image --ingestion-process ", modeldata.INGESTION_PROCESS, ""),
    ("wsctl import-image --application ", modeldata.APPLICATION, ""),
]


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(("line", "shape", "prefix"), ENUM_CASES, ids=[c[0][6:] for c in ENUM_CASES])
def test_enum_values_come_from_the_service_model(shell, line, shape, prefix):
    result = complete(shell, line)
    assert_light(result)
    assert result.values == _expected(shape, prefix)
    assert result.values, "the model has values for this prefix"
    assert not result.files


@pytest.mark.parametrize("shell", ("zsh", "fish"))
def test_ingestion_processes_and_running_modes_are_explained_on_one_line(shell):
    processes = complete(shell, "wsctl import-image --ingestion-process ")
    assert_light(processes)
    for value in processes.values:
        assert processes.helps[value] == ingestion_process_help(value)
    # Each protocol family gets its own explanation.
    assert len({processes.helps[v].split(";")[0] for v in processes.values}) == 3
    modes = complete(shell, "wsctl create --running-mode ")
    assert "Core" in modes.helps["MANUAL"]


@pytest.mark.parametrize("shell", ("zsh", "fish"))
def test_long_option_help_stays_one_line_and_keeps_brackets(shell):
    # --ingestion-process has a long help and --timeout one with [default: ...]: Typer's own
    # formatting (through Rich) wrapped the first into extra candidates and ate the second.
    result = complete(shell, "wsctl import-image --")
    assert_light(result)
    assert all(v.startswith("-") for v in result.values)
    assert {"--ingestion-process", "--timeout", "--name"} <= set(result.values)
    assert "[default: 10800" in result.helps["--timeout"]
    assert all(len(h) <= 120 and "\n" not in h for h in result.helps.values())


@pytest.mark.parametrize("shell", SHELLS)
def test_output_formats_and_commands(shell):
    formats = complete(shell, "wsctl describe -o ")
    assert_light(formats)
    assert formats.values == ["table", "wide", "json", "yaml", "ids"]
    commands = complete(shell, "wsctl ")
    assert_light(commands)
    group: Any = typer.main.get_command(app)
    assert commands.values == [n for n in group.list_commands(typer.Context(group)) if not group.commands[n].hidden]


FILE_OPTIONS = [
    "wsctl create -f ",
    "wsctl create --directory-id d-1234567890 -f fle",
    "wsctl set-mode --running-mode ALWAYS_ON -f ",
    "wsctl modify --file ",
    "wsctl describe --ids-from ",
]


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("line", FILE_OPTIONS)
def test_file_options_leave_completion_to_the_shells_file_names(shell, line):
    result = complete(shell, line)
    assert_light(result)
    assert result.values == []
    assert result.files


def test_dash_still_means_stdin_for_set_mode_files():
    from tests import sandbox_support as sb
    from tests.helpers import wsctl

    sb.reset()
    run = wsctl(
        "--sandbox", "set-mode", "-f", "-", "--dry-run", input="workspace_id,running_mode\nws-0123abcd9,AUTO_STOP\n"
    )
    assert run.exit_code == 2
    assert "no WorkSpace ws-0123abcd9" in run.stderr  # read from stdin, looked up, not found


# --- every enum option of every command has its completion ---------------------------------------


def _enum_of(shape_name: str, path: tuple[str, ...]) -> tuple[str, ...]:
    shapes = modeldata.raw_service_model()["shapes"]
    shape = shapes[shape_name]
    for part in path:
        shape = shapes[shape["members"][part]["shape"]]
    if shape.get("type") == "list":
        shape = shapes[shape["member"]["shape"]]
    return tuple(shape.get("enum", ()))


def _members(shape_name: str) -> set[str]:
    return set(modeldata.raw_service_model()["shapes"][shape_name]["members"])


def model_enum_options() -> dict[tuple[str, str], tuple[str, ...]]:
    """(command, flag) -> the enum its value must be in, from each command's own flag <-> API member map."""
    flags: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
        "create": ("WorkspaceRequest", {batch.FLAG_FOR[k]: p for k, p in batch.FRIENDLY_PATHS.items()}),
        "set-mode": ("WorkspaceProperties", {set_mode.FLAGS[k]: (m,) for m, k in set_mode.MEMBER_KEYS.items()}),
        "modify": ("WorkspaceProperties", {modify.FLAGS[k]: (m,) for m, k in modify.MEMBER_KEYS.items()}),
        "import-image": ("ImportWorkspaceImageRequest", {f: (m,) for m, f in import_image.FLAGS.items()}),
        "describe": (
            "DescribeWorkspacesRequest",
            {f: (m,) for m, f in describe.FLAGS.items() if m in _members("DescribeWorkspacesRequest")},
        ),
    }
    found = {
        (command, flag): _enum_of(shape, path)
        for command, (shape, mapping) in flags.items()
        for flag, path in mapping.items()
    }
    found[("describe", "--state")] = _enum_of("Workspace", ("State",))  # filtered here, on the described state
    return {key: values for key, values in found.items() if values}


def test_every_enum_option_of_every_command_completes_its_values():
    options = model_enum_options()
    # The sweep must at least find the ones the issue names.
    assert {
        ("create", "--running-mode"),
        ("set-mode", "--running-mode"),
        ("create", "--compute-type"),
        ("modify", "--compute-type"),
        ("import-image", "--ingestion-process"),
        ("import-image", "--application"),
        ("describe", "--state"),
    } <= set(options)
    group: Any = typer.main.get_command(app)
    for (command_name, flag), values in options.items():
        command = group.commands[command_name]
        option = next(p for p in command.params if flag in p.opts)
        offered = [item.value for item in option.shell_complete(typer.Context(command), "")]
        assert offered == list(values), f"{command_name} {flag}"


# --- start-up imports -----------------------------------------------------------------------------


def _all_commands() -> list[tuple[str, ...]]:
    group: Any = typer.main.get_command(app)
    paths: list[tuple[str, ...]] = [()]
    stack: list[tuple[tuple[str, ...], Any]] = [((), group)]
    while stack:
        prefix, current = stack.pop()
        for name, sub in getattr(current, "commands", {}).items():
            paths.append((*prefix, name))
            stack.append(((*prefix, name), sub))
    return sorted(paths)


@pytest.mark.parametrize("command", _all_commands(), ids=lambda c: " ".join(c) or "wsctl")
def test_help_imports_no_boto(command):
    called = run_wsctl(*command, "--help")
    assert called.exit_code == 0, called.stderr
    assert "Usage" in called.stdout
    assert called.heavy_modules(("boto3", "botocore")) == set()


def test_a_completion_call_imports_neither_boto_nor_rich_even_for_a_full_listing():
    for shell in SHELLS:
        for line in ("wsctl ", "wsctl create --", "wsctl -"):
            result = complete(shell, line)
            assert_light(result)
            assert result.values
