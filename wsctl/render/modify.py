"""Output of `wsctl set-mode` and `wsctl modify`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text

from wsctl.context import AppContext
from wsctl.ops.changes import Plan
from wsctl.options import OutputFormat
from wsctl.render.consoles import print_table
from wsctl.render.data import emit
from wsctl.render.tables import id_column, new_table
from wsctl.spec.waits import Status, WaitResult

Describe = Callable[[dict[str, Any]], str]


def _props(ws: dict[str, Any]) -> dict[str, Any]:
    return ws.get("WorkspaceProperties") or {}


def show_modify_plan(app: AppContext, plan: Plan, describe: Describe) -> None:
    if app.output is not OutputFormat.table:
        data = {
            "Requests": [
                {"WorkspaceId": c.workspace_id, "WorkspaceProperties": step} for c in plan.changes for step in c.steps
            ],
            "Unchanged": [w["WorkspaceId"] for w in plan.unchanged],
        }
        emit(app.output, data, [c.workspace_id for c in plan.changes])
        return
    table = new_table("Planned changes", sandbox=app.sandbox)
    id_column(table, "WorkspaceId", [c.workspace_id for c in plan.changes] + [w["WorkspaceId"] for w in plan.unchanged])
    table.add_column("UserName", overflow="fold")
    table.add_column("Now", no_wrap=True)
    table.add_column("After", no_wrap=True)
    table.add_column("Calls", justify="right")
    for change in plan.changes:
        table.add_row(
            change.workspace_id,
            change.user_name,
            describe(_props(change.workspace)),
            describe(change.target),
            str(len(change.steps)),
        )
    for ws in plan.unchanged:
        table.add_row(
            ws["WorkspaceId"], str(ws.get("UserName", "")), describe(_props(ws)), Text("unchanged", "dim"), "0"
        )
    print_table(app.out, table)
    calls = sum(len(c.steps) for c in plan.changes)
    app.note(
        f"Dry run: {len(plan.changes)} to change in {calls} ModifyWorkspaceProperties calls, "
        f"{len(plan.unchanged)} unchanged. Nothing was sent."
    )


def show_modify_results(
    app: AppContext,
    plan: Plan,
    outcome: Any,
    describe: Describe,
    *,
    final: Sequence[dict[str, Any]] | None = None,
    wait_result: WaitResult | None = None,
) -> None:
    data: dict[str, Any] = {
        "Modified": list(outcome.modified),
        "Unchanged": [w["WorkspaceId"] for w in plan.unchanged],
        "FailedRequests": list(outcome.failed),
    }
    if final is not None:
        data["Workspaces"] = list(final)
    if app.output is not OutputFormat.table:
        emit(app.output, data, [*outcome.modified, *data["Unchanged"]])
        return
    failures = {f["WorkspaceId"]: f for f in outcome.failed}
    modified = set(outcome.modified)
    waited = {i.id: i for i in wait_result.items} if wait_result else {}
    table = new_table("Changes", sandbox=app.sandbox)
    id_column(table, "WorkspaceId", [c.workspace_id for c in plan.changes] + [w["WorkspaceId"] for w in plan.unchanged])
    table.add_column("UserName", overflow="fold")
    table.add_column("Before", no_wrap=True)
    table.add_column("After", no_wrap=True)
    table.add_column("Result", overflow="fold")
    for change in plan.changes:
        cid = change.workspace_id
        if cid in failures:
            result = Text(f"{failures[cid]['ErrorCode']}: {failures[cid]['ErrorMessage']}", "bold red")
        elif cid in waited:
            item = waited[cid]
            style = {Status.SUCCEEDED: "green", Status.FAILED: "bold red", Status.PENDING: "yellow"}[item.status]
            result = Text("applied" if item.status is Status.SUCCEEDED else (item.reason or "still pending"), style)
        elif cid in modified:
            result = Text("requested", "green")
        else:
            result = Text("not sent", "yellow")
        table.add_row(cid, change.user_name, describe(_props(change.workspace)), describe(change.target), result)
    for ws in plan.unchanged:
        table.add_row(
            ws["WorkspaceId"],
            str(ws.get("UserName", "")),
            describe(_props(ws)),
            describe(_props(ws)),
            Text("unchanged", "dim"),
        )
    print_table(app.out, table)
    app.note(f"{len(outcome.modified)} changed, {len(plan.unchanged)} unchanged, {len(outcome.failed)} failed.")
