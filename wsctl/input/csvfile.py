"""CSV input (user lists from HR or AD exports, per-WorkSpace values): rows with their row numbers.

Row N is the line a spreadsheet shows, the header being row 1. Every problem names the file
and the row; a `;`-separated export (Excel in many locales) is recognised and explained.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Collection

from wsctl.errors import LocatedProblem

Row = tuple[str, dict[str, str]]  # (where, {column: stripped cell})


def read_rows(name: str, text: str, known: Collection[str]) -> tuple[list[Row], list[LocatedProblem]]:
    """Rows as {column: cell} keyed by the header, and every problem found; no rows on a bad header."""
    problems: list[LocatedProblem] = []
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        return [], [LocatedProblem(name, "", "is empty; expected a header row")]
    except csv.Error as exc:
        return [], [LocatedProblem(f"{name} row 1", "", f"CSV error: {exc}")]
    columns = [h.strip() for h in header]
    for index, column in enumerate(columns):
        if column in known:
            continue
        if len(columns) == 1 and ";" in column:
            message = (
                "unknown column; the header is separated by ';', but wsctl reads comma-separated CSV "
                "(save it as 'CSV UTF-8 (comma delimited)')"
            )
        else:
            match = difflib.get_close_matches(column, list(known), n=1, cutoff=0.6)
            message = "unknown column" + (
                f" (did you mean {match[0]}?)" if match else f"; known columns: {', '.join(sorted(known))}"
            )
        problems.append(LocatedProblem(f"{name} row 1", column or f"column {index + 1}", message))
    if len(set(columns)) != len(columns):
        problems.append(LocatedProblem(f"{name} row 1", "", "a column appears twice in the header"))
    if problems:
        return [], problems
    rows: list[Row] = []
    row_number = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(LocatedProblem(f"{name} row {reader.line_num}", "", f"CSV error: {exc}"))
            break
        where = f"{name} row {row_number + 1}"
        row_number = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            problems.append(
                LocatedProblem(
                    where, "", f"has {len(cells)} cells; the header has {len(columns)} ({','.join(columns)})"
                )
            )
            continue
        rows.append((where, dict(zip(columns, (c.strip() for c in cells), strict=True))))
    return rows, problems
