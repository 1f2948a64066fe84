"""Run the real commands once against a sandbox and keep what each one showed, to draw again at any width.

Every command hands an `Outcome` to `wsctl.render.outcome.show`; `record_outcomes` wraps it,
so a test can render the very outcome a command printed at 60, 80, 120 and 200 columns
without running the command four times. Rendering uses the mechanism a terminal uses:
COLUMNS for the width and TTY_COMPATIBLE=1 so Rich treats the stream as a terminal (tables
then fit the width); NO_COLOR and an ANSI filter keep only the text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from wsctl.context import AppContext
from wsctl.options import GlobalOptions, OutputFormat
from wsctl.render import outcome as outcome_module
from wsctl.render.outcome import Outcome

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# The only text that changes from run to run: image creation times (the sandbox's real clock).
# Replaced by a value of the same length, so the layout is what a real run draws.
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")
FIXED_TIMESTAMP = "2026-01-01 00:00"


@contextmanager
def record_outcomes() -> Iterator[list[Outcome]]:
    """Every Outcome shown while the block runs, in order."""
    shown: list[Outcome] = []
    real = outcome_module.show

    def recording(app: AppContext, outcome: Outcome) -> int:
        shown.append(outcome)
        return real(app, outcome)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(outcome_module, "show", recording)
        yield shown


def render(
    outcome: Outcome, width: int, *, output: OutputFormat = OutputFormat.table, verbose: bool = False
) -> tuple[str, str]:
    """(stdout, stderr) of showing `outcome` on a terminal `width` columns wide, as plain text."""
    out, err = io.StringIO(), io.StringIO()
    app = AppContext(GlobalOptions(sandbox=True, output=output, verbose=verbose), stdout=out, stderr=err)
    # The table notes are restored for the next width: show_and_finish moves them aside.
    notes = list(outcome.table_notes)
    with pytest.MonkeyPatch.context() as mp:
        for name, value in (("COLUMNS", str(width)), ("TTY_COMPATIBLE", "1"), ("NO_COLOR", "1"), ("TERM", "xterm")):
            mp.setenv(name, value)
        for name in ("FORCE_COLOR", "TTY_INTERACTIVE", "JUPYTER_COLUMNS"):
            mp.delenv(name, raising=False)
        assert app.out.is_terminal and app.out.width == width
        outcome_module.show(app, outcome)
    outcome.table_notes = notes
    return _plain(out.getvalue()), _plain(err.getvalue())


def _plain(text: str) -> str:
    text = TIMESTAMP.sub(FIXED_TIMESTAMP, ANSI.sub("", text))
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def only(outcomes: list[Outcome]) -> Outcome:
    """The one outcome a command showed."""
    assert len(outcomes) == 1, outcomes
    return outcomes[0]


def any_key(data: Any, key: str) -> list[Any]:
    """Every value of `key` anywhere in a JSON-shaped value."""
    found: list[Any] = []
    if isinstance(data, dict):
        for k, v in data.items():
            if k == key:
                found.append(v)
            found += any_key(v, key)
    elif isinstance(data, list):
        for v in data:
            found += any_key(v, key)
    return found
