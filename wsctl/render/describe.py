"""Output of `wsctl describe`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wsctl.context import AppContext
from wsctl.options import OutputFormat
from wsctl.render.data import emit


def show_workspaces(app: AppContext, workspaces: Sequence[dict[str, Any]]) -> None:
    if app.output is not OutputFormat.table:
        emit(app.output, {"Workspaces": list(workspaces)}, (w["WorkspaceId"] for w in workspaces))
        return
    # Rich only for tables: `describe -o json` in a script should not pay for it.
    from wsctl.render.consoles import print_table
    from wsctl.render.tables import state_counts, workspaces_table

    if not workspaces:
        app.note("No WorkSpaces match." + (" (sandbox)" if app.sandbox else ""))
        return
    print_table(app.out, workspaces_table(workspaces, title="WorkSpaces", sandbox=app.sandbox))
    count = len(workspaces)
    app.note(f"{count} WorkSpace{'s' if count != 1 else ''}: {state_counts(w.get('State') for w in workspaces)}")
