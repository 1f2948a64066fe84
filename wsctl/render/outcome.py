"""What a use case hands back, and the one function that shows it in the chosen `-o` format.

As pipx's `OperationResult` and `render_result`: a use case returns an `Outcome` (the data
in the API's own shapes, the IDs, the tables a person reads, the exit code); `show` alone
decides between a table, JSON, YAML and IDs. Tables are built only when they are shown,
so `-o json` never imports Rich's table machinery.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wsctl.options import OutputFormat

if TYPE_CHECKING:
    from wsctl.context import AppContext

TableFactory = Callable[[], Any]  # a table (or a list of tables) to print


@dataclass
class Outcome:
    data: dict[str, Any] = field(default_factory=dict)  # -o json / yaml: the API's shapes and key names
    ids: Iterable[str] = ()  # -o ids: one a line
    tables: list[TableFactory] = field(default_factory=list)  # -o table, in order
    table_notes: list[str] = field(default_factory=list)  # -o table: stderr lines that sum the tables up
    empty_note: str | None = None  # -o table with no tables: what to say instead
    exit_code: int = 0


def show(app: AppContext, outcome: Outcome) -> int:
    """Print the outcome (data on stdout, notes on stderr); returns its exit code."""
    if app.output not in (OutputFormat.table, OutputFormat.wide):
        from wsctl.render.data import emit

        emit(app.output, outcome.data, outcome.ids, stream=app.stdout)
        return outcome.exit_code
    if not outcome.tables and outcome.empty_note is not None:
        app.note(outcome.empty_note)
        return outcome.exit_code
    from wsctl.render.consoles import print_table
    from wsctl.render.tables import ALL_ROWS, FIT_WIDTH

    # On a terminal, tables drop their least useful columns to fit; -o wide and pipes keep them all.
    narrow = app.output is OutputFormat.table and app.out.is_terminal
    fitting = FIT_WIDTH.set(app.out.width if narrow else None)
    # Above 20 items a result table lists those that did not succeed; -o wide and --verbose list all.
    listing = ALL_ROWS.set(app.output is OutputFormat.wide or app.options.verbose)
    try:
        for make in outcome.tables:
            made = make()
            for table in made if isinstance(made, list) else [made]:
                # -o wide shows every column whole, past the right edge if need be (the terminal wraps).
                print_table(app.out, table, whole=app.output is OutputFormat.wide)
    finally:
        FIT_WIDTH.reset(fitting)
        ALL_ROWS.reset(listing)
    for line in outcome.table_notes:
        app.note(line)
    return outcome.exit_code
