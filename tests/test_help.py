"""Every command's --help, walked from the CLI itself, so commands added later are covered too.

A reader of `--help` sees whole summaries, words instead of Python or Click types, a description
for every option and one example that runs on the sandbox.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer.main

from tests.helpers import wsctl
from wsctl.cli.app import app

# What framework types look like when they leak into help: `<list[str]>`, `<int range>`, `<float>`,
# `[[ID]...]...`, `<str>`.
LEAKS = re.compile(r"<(?:list\[|int|float|str|bool|path|text|file|choice)[^>]*>|\[\[|\]\.\.\.\]|list\[", re.I)


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    for name, command in sorted(getattr(group, "commands", {}).items()):
        if command.hidden:
            continue
        yield (*path, name), command
        yield from _commands(command, (*path, name))


ROOT = typer.main.get_command(app)
ALL = list(_commands(ROOT))
LEAVES = [(path, command) for path, command in ALL if not getattr(command, "commands", None)]


def _id(path: tuple[str, ...]) -> str:
    return " ".join(path)


def help_text(*path: str, columns: int = 80) -> str:
    run = wsctl(*path, "--help", env={"COLUMNS": str(columns)})
    assert run.exit_code == 0, run.stderr
    return run.stdout


def test_the_walk_finds_every_command():
    names = {_id(path) for path, _ in ALL}
    assert {"create", "describe", "stop", "maintenance on", "sandbox reset"} <= names
    assert len(LEAVES) >= 17


@pytest.mark.parametrize("columns", [80, 120])
def test_root_help_lists_whole_summaries(columns: int):
    text = help_text(columns=columns)
    listed = text.split("Commands:", 1)[1]
    assert "..." not in listed
    for path, command in ALL:
        if len(path) != 1:
            continue
        summary = command.get_short_help_str()
        assert summary and summary.endswith((".", ")")), f"{path}: {summary!r}"
        # the summary is all there, wrapped at most, never cut
        assert " ".join(summary.split()) in " ".join(listed.split()), f"{path}: {summary!r} cut in --help"


@pytest.mark.parametrize("path", [path for path, _ in ALL], ids=_id)
def test_summaries_fit_80_columns(path: tuple[str, ...]):
    group: Any = ROOT if len(path) == 1 else dict(ALL)[path[:-1]]
    widest = max(len(name) for name in group.commands)
    summary = dict(ALL)[path].get_short_help_str()
    # "  NAME  SUMMARY" in the 78 columns Click uses on an 80-column terminal, two spaces either side of the name column
    assert 2 + widest + 2 + len(summary) <= 78, f"{_id(path)}: shorten the first line of its help: {summary!r}"


@pytest.mark.parametrize("path", [(), *[path for path, _ in ALL]], ids=lambda p: _id(p) or "wsctl")
def test_help_shows_no_framework_types(path: tuple[str, ...]):
    text = help_text(*path)
    assert not LEAKS.findall(text), f"wsctl {_id(path)} --help shows {LEAKS.findall(text)}"


@pytest.mark.parametrize("path", [(), *[path for path, _ in ALL]], ids=lambda p: _id(p) or "wsctl")
def test_every_option_is_described(path: tuple[str, ...]):
    command = ROOT if not path else dict(ALL)[path]
    ctx = command.make_context("wsctl", [], resilient_parsing=True)
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        record = param.get_help_record(ctx)
        assert record is not None
        assert record[1].strip() and not record[1].lstrip().startswith("["), (
            f"wsctl {_id(path)}: {record[0]} has no description"
        )


@pytest.mark.parametrize("path", [path for path, _ in LEAVES], ids=_id)
def test_every_command_shows_an_example_on_the_sandbox(path: tuple[str, ...]):
    text = help_text(*path, columns=120)
    assert "Example" in text, f"wsctl {_id(path)} --help has no Example"
    example = text.split("Example", 1)[1].split("Options:", 1)[0].split("Arguments:", 1)[0]
    lines = [line.strip() for line in example.splitlines() if line.strip().startswith("wsctl ")]
    assert lines, f"wsctl {_id(path)} --help: the example shows no wsctl command"
    assert any("--sandbox" in line for line in lines), f"wsctl {_id(path)}: no example runs with --sandbox"
    # the example uses the command it documents
    assert any(" ".join(path) in line for line in lines)


def test_encryption_flags_are_described():
    text = help_text("create", columns=200)
    for flag in ("--encrypt-root / --no-encrypt-root", "--encrypt-user / --no-encrypt-user"):
        described = re.sub(r"-\s+", "-", text.split(flag, 1)[1].split("\n  -", 1)[0])  # Click wraps at hyphens
        assert "--volume-encryption-key" in described, f"{flag}: {described!r}"


def test_plain_words_replace_types_for_options_without_a_metavar():
    text = help_text("sandbox", "reset", columns=200)
    assert re.search(r"--users N\s", text)
    assert re.search(r"--time-scale FACTOR\s", text)
    assert "-o, --output <table|wide|json|yaml|ids>" in text  # a choice keeps its values
