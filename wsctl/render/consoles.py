"""Printing a table on a console: at the terminal's width, or at the width it needs off a terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console

# Wide enough that a table never needs to squeeze an ID when stdout is a file or a pipe;
# `print_table` measures the table and uses only the width it needs.
UNBOUNDED_WIDTH = 10_000


def print_table(console: Console, table: Any, *, whole: bool = False) -> None:
    """Print a table; off a terminal (or `whole`: -o wide), at the width it needs rather than the screen's."""
    if console.is_terminal and not whole:
        # A table given a width of its own (wider than the terminal) is not cut at the edge.
        console.print(table, crop=getattr(table, "width", None) is None)
        return
    from rich.measure import Measurement

    wide = console.options.update(width=UNBOUNDED_WIDTH)
    needed = Measurement.get(console, wide, table).maximum
    # Width and height both: with only a width, Rich gives a dumb terminal (TERM=dumb) 80 columns.
    original = (console._width, console._height)
    console.size = (max(needed, 20), console.height)
    try:
        console.print(table, crop=False)
    finally:
        console._width, console._height = original
