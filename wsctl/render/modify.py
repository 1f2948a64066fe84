"""Output of `wsctl set-mode` and `wsctl modify`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from rich.text import Text

from wsctl.errors import ExitCode
from wsctl.render.outcome import Outcome
from wsctl.render.tables import STATUS_STYLE, id_column, new_table
from wsctl.spec.waits import Status, WaitResult
from wsctl.text import count

Describe = Callable[[dict[str, Any]], str]


class PlannedChange(Protocol):
    """One WorkSpace's change as the plan of set-mode and modify holds it (wsctl.ops.changes)."""

    @property
    def workspace_id(self) -> str: ...
    @property
    def user_name(self) -> str: ...
    @property
    def workspace(self) -> dict[str, Any]: ...
    @property
    def steps(self) -> list[dict[str, Any]]: ...
    @property
    def target(self) -> dict[str, Any]: ...


class ChangePlan(Protocol):
    @property
    def changes(self) -> list[Any]: ...
    @property
    def unchanged(self) -> list[dict[str, Any]]: ...


def _props(ws: dict[str, Any]) -> dict[str, Any]:
    return ws.get("WorkspaceProperties") or {}


def modify_plan_outcome(plan: ChangePlan, describe: Describe, *, sandbox: bool) -> Outcome:
    changes: list[PlannedChange] = plan.changes
    data = {
        "Requests": [{"WorkspaceId": c.workspace_id, "WorkspaceProperties": step} for c in changes for step in c.steps],
        "Unchanged": [w["WorkspaceId"] for w in plan.unchanged],
    }

    def table() -> Any:
        table = new_table("Planned changes", sandbox=sandbox)
        id_column(table, "WorkspaceId", [c.workspace_id for c in changes] + [w["WorkspaceId"] for w in plan.unchanged])
        table.add_column("UserName", overflow="fold")
        table.add_column("Now", no_wrap=True)
        table.add_column("After", no_wrap=True)
        table.add_column("Calls", justify="right")
        for change in changes:
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
        return table

    calls = sum(len(c.steps) for c in changes)
    return Outcome(
        data=data,
        ids=[c.workspace_id for c in changes],
        tables=[table],
        table_notes=[
            f"Dry run: {len(changes)} to change in {count(calls, 'ModifyWorkspaceProperties call')}, "
            f"{len(plan.unchanged)} unchanged. Nothing was sent."
        ],
    )


def modify_results_outcome(
    plan: ChangePlan,
    modified: Sequence[str],
    failed: Sequence[dict[str, Any]],
    describe: Describe,
    *,
    sandbox: bool,
    final: Sequence[dict[str, Any]] | None = None,
    wait_result: WaitResult | None = None,
) -> Outcome:
    changes: list[PlannedChange] = plan.changes
    unchanged_ids = [w["WorkspaceId"] for w in plan.unchanged]
    data: dict[str, Any] = {"Modified": list(modified), "Unchanged": unchanged_ids, "FailedRequests": list(failed)}
    if final is not None:
        data["Workspaces"] = list(final)

    def table() -> Any:
        failures = {f["WorkspaceId"]: f for f in failed}
        requested = set(modified)
        waited = {i.id: i for i in wait_result.items} if wait_result else {}
        table = new_table("Changes", sandbox=sandbox)
        id_column(table, "WorkspaceId", [c.workspace_id for c in changes] + unchanged_ids)
        table.add_column("UserName", overflow="fold")
        table.add_column("Before", no_wrap=True)
        table.add_column("After", no_wrap=True)
        table.add_column("Result", overflow="fold")
        for change in changes:
            cid = change.workspace_id
            if cid in failures:
                result = Text(f"{failures[cid]['ErrorCode']}: {failures[cid]['ErrorMessage']}", "bold red")
            elif cid in waited:
                item = waited[cid]
                style = STATUS_STYLE[item.status]
                result = Text("applied" if item.status is Status.SUCCEEDED else (item.reason or "still pending"), style)
            elif cid in requested:
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
        return table

    return Outcome(
        data=data,
        ids=[*modified, *unchanged_ids],
        tables=[table],
        table_notes=[f"{len(modified)} changed, {len(plan.unchanged)} unchanged, {len(failed)} failed."],
        exit_code=ExitCode.PARTIAL if failed else ExitCode.OK,
    )
