"""Output of `wsctl describe`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wsctl.render.outcome import Outcome
from wsctl.text import state_counts


def workspaces_outcome(
    workspaces: Sequence[dict[str, Any]], *, sandbox: bool, columns: Sequence[str] | None = None
) -> Outcome:
    """`columns` (from --columns, see wsctl.render.columns) picks the table's columns; JSON keeps every key."""

    def table() -> Any:
        # Rich only for tables: `describe -o json` in a script should not pay for it.
        from wsctl.render.tables import workspaces_table

        if columns:
            return workspaces_table(workspaces, title="WorkSpaces", sandbox=sandbox, columns=columns, chosen=True)
        return workspaces_table(workspaces, title="WorkSpaces", sandbox=sandbox)

    n = len(workspaces)
    return Outcome(
        data={"Workspaces": list(workspaces)},
        ids=[w["WorkspaceId"] for w in workspaces],
        tables=[table] if workspaces else [],
        table_notes=[f"{n} WorkSpace{'s' if n != 1 else ''}: {state_counts(w.get('State') for w in workspaces)}"],
        empty_note="No WorkSpaces match." + (" (sandbox)" if sandbox else ""),
    )
