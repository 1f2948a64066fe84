"""The README's commands are the ones CI runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Try it", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```console\n(.+?)\n```", section)


def test_readme_gives_exactly_two_commands_for_a_fresh_machine():
    commands = readme_commands()
    assert len(commands) == 2
    assert "--sandbox" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert readme_commands()[1] in ci


def test_every_other_console_block_is_generated_by_cog():
    # Outside the two commands for a fresh machine, a console block is what wsctl printed:
    # made by tests/readme_cog.py between cog's markers, never typed in by hand.
    text = (ROOT / "README.md").read_text()
    outside = re.sub(r"<!-- \[\[\[cog\n.*?<!-- \[\[\[end\]\]\] -->", "", text, flags=re.S)
    typed = re.findall(r"```console\n(.+?)\n```", outside, re.S)
    assert typed == readme_commands(), "a console block outside cog: generate it (see tests/readme_cog.py)"
    assert text.count("<!-- [[[cog") >= 10


def test_readme_blocks_are_what_wsctl_prints_now():
    # Runs every cog block again (the real wsctl on a sandbox of its own) and compares.
    proc = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "--diff", "README.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert proc.returncode == 0, (
        "README.md is out of date with what wsctl prints: run `cog -r README.md` from the repository root, "
        f"review the diff and commit it.\n{proc.stdout}{proc.stderr}"
    )
