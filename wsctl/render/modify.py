"""Output of `wsctl set-mode` and `wsctl modify`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from rich.text import Text

from wsctl.errors import ExitCode
from wsctl.render.outcome import Outcome
from wsctl.render.tables import STATUS_STYLE, Column, fit_table
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
        rows: list[tuple[Any, ...]] = [
            (c.workspace_id, c.user_name, describe(_props(c.workspace)), describe(c.target), str(len(c.steps)))
            for c in changes
        ]
        for ws in plan.unchanged:
            now = describe(_props(ws))
            rows.append((ws["WorkspaceId"], str(ws.get("UserName", "")), now, Text("unchanged", "dim"), "0"))
        columns = (
            Column("WorkspaceId", whole=True),
            Column("UserName", whole=True),
            Column("Now", wrap=True),
            Column("After", whole=True),
            Column("Calls", justify="right", drop=1),
        )
        return fit_table("Planned changes", columns, rows, sandbox=sandbox)

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
        from wsctl.render.tables import collapse, counted_line

        failures = {f["WorkspaceId"]: f for f in failed}
        requested = set(modified)
        waited = {i.id: i for i in wait_result.items} if wait_result else {}
        # (cells, the outcome word of a row that succeeded or None): see wsctl.render.tables.collapse.
        rows: list[tuple[tuple[Any, ...], str | None]] = []
        for change in changes:
            cid = change.workspace_id
            word: str | None = None
            if cid in failures:
                result = Text(f"{failures[cid]['ErrorCode']}: {failures[cid]['ErrorMessage']}", "bold red")
            elif cid in waited:
                item = waited[cid]
                style = STATUS_STYLE[item.status]
                result = Text("applied" if item.status is Status.SUCCEEDED else (item.reason or "still pending"), style)
                word = "applied" if item.status is Status.SUCCEEDED else None
            elif cid in requested:
                result = Text("requested", "green")
                word = "requested"
            else:
                result = Text("not sent", "yellow")
            before, after = describe(_props(change.workspace)), describe(change.target)
            rows.append(((cid, change.user_name, before, after, result), word))
        for ws in plan.unchanged:
            now = describe(_props(ws))
            cells = (ws["WorkspaceId"], str(ws.get("UserName", "")), now, now, Text("unchanged", "dim"))
            rows.append((cells, "unchanged"))
        listed, line = collapse(rows, lambda row: row[1])
        if line and not listed:
            return counted_line("Changes", line)
        columns = (
            Column("WorkspaceId", whole=True),
            Column("UserName", whole=True),
            Column("Before", wrap=True, drop=1),
            Column("After", whole=True),
            Column("Result", wrap=True),
        )
        return fit_table("Changes", columns, [cells for cells, _ in listed], sandbox=sandbox, caption=line)

    return Outcome(
        data=data,
        ids=[*modified, *unchanged_ids],
        tables=[table],
        table_notes=[f"{len(modified)} changed, {len(plan.unchanged)} unchanged, {len(failed)} failed."],
        exit_code=ExitCode.PARTIAL if failed else ExitCode.OK,
    )
