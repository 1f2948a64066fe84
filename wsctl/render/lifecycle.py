"""Output of start, stop, reboot, rebuild, restore, migrate, maintenance and terminate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from wsctl.errors import ExitCode
from wsctl.render.outcome import Outcome
from wsctl.spec.waits import Status, WaitResult


class ActionView(Protocol):
    @property
    def command(self) -> str: ...
    @property
    def verb(self) -> str: ...
    @property
    def done(self) -> str: ...


class SentView(Protocol):
    requested: list[str]
    failed: list[dict[str, Any]]
    migrated: list[dict[str, str]]


def action_outcome(
    action: ActionView,
    to_send: Sequence[dict[str, Any]],
    skipped: Sequence[dict[str, Any]],
    sent: SentView,
    *,
    sandbox: bool,
    planned: bool = False,
    final: Sequence[dict[str, Any]] | None = None,
    wait_result: WaitResult | None = None,
) -> Outcome:
    skipped_data = [{"WorkspaceId": s["WorkspaceId"], "State": s["State"], "Reason": s["Reason"]} for s in skipped]
    data: dict[str, Any]
    if planned:
        data = {"Planned": [w["WorkspaceId"] for w in to_send], "Skipped": skipped_data}
        ids = data["Planned"]
    else:
        data = {"Requested": list(sent.requested), "Skipped": skipped_data, "FailedRequests": list(sent.failed)}
        if action.command == "migrate":
            data["Migrated"] = list(sent.migrated)
            ids = [m["TargetWorkspaceId"] for m in sent.migrated]
        else:
            ids = list(sent.requested)
        if final is not None:
            data["Workspaces"] = list(final)

    def table() -> Any:
        from rich.text import Text

        from wsctl.render.tables import STATUS_STYLE, Column, collapse, counted_line, fit_table, state_text

        failures = {f["WorkspaceId"]: f for f in sent.failed}
        targets = {m["SourceWorkspaceId"]: m["TargetWorkspaceId"] for m in sent.migrated}
        waited = {i.id: i for i in wait_result.items} if wait_result else {}
        requested = set(sent.requested)
        # (cells, the outcome word of a row that succeeded or None): see wsctl.render.tables.collapse.
        rows: list[tuple[tuple[Any, ...], str | None]] = []
        for ws in to_send:
            wid = ws["WorkspaceId"]
            followed = waited.get(targets.get(wid, wid))
            word: str | None = None
            if planned:
                result = Text(f"would {action.verb}", "cyan")
            elif wid in failures:
                result = Text(f"{failures[wid].get('ErrorCode')}: {failures[wid].get('ErrorMessage')}", "bold red")
            elif followed is not None:
                style = STATUS_STYLE[followed.status]
                words = action.done if followed.status is Status.SUCCEEDED else followed.reason or "still pending"
                result = Text(words + (f" as {targets[wid]}" if wid in targets else ""), style)
                word = action.done if followed.status is Status.SUCCEEDED else None
            elif wid in targets:
                result = Text(f"migrating to {targets[wid]}", "green")
                word = "migrating"
            elif wid in requested:
                result = Text("requested", "green")
                word = "requested"
            else:
                result = Text("not sent", "yellow")
            rows.append(((wid, str(ws.get("UserName", "")), state_text(ws.get("State")), result), word))
        for s in skipped:
            cells = (
                s["WorkspaceId"],
                str(s.get("UserName") or ""),
                state_text(s.get("State")),
                Text(f"skipped: {s['Reason']}", "dim"),
            )
            rows.append((cells, f"skipped ({s['Reason']})"))
        title = f"{action.command}: {'plan' if planned else 'results'}"
        # A plan is read before anything is sent: every row of it is listed.
        listed, line = (rows, None) if planned else collapse(rows, lambda row: row[1])
        if line and not listed:
            return counted_line(title, line)
        columns = (
            Column("WorkspaceId", whole=True),
            Column("UserName", whole=True),
            Column("Before", whole=True, drop=1),
            Column("Result", wrap=True),
        )
        return fit_table(title, columns, [cells for cells, _ in listed], sandbox=sandbox, caption=line)

    return Outcome(
        data=data,
        ids=ids,
        tables=[table],
        exit_code=ExitCode.PARTIAL if sent.failed else ExitCode.OK,
    )
