"""The operations that move a WorkSpace through the rest of its life: start, stop, terminate.

Registered in `operations.OPERATIONS` like the others; each is `(tx, params) -> response`.
"""

from __future__ import annotations

import json
from typing import Any

from wsctl.sandbox import lifecycle
from wsctl.sandbox.common import Operation, Tx
from wsctl.spec import rules

MODE = rules.RUNNING_MODE_KEY


# --- TerminateWorkspaces ------------------------------------------------------------------------


def terminate_workspaces(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    failed = []
    for request in params["TerminateWorkspaceRequests"]:
        workspace_id = request["WorkspaceId"]
        row = tx.conn.execute("SELECT * FROM workspaces WHERE workspace_id = ?", (workspace_id,)).fetchone()
        if row is None or lifecycle.workspace_state(row, tx.now) is None:
            failed.append(
                {
                    "WorkspaceId": workspace_id,
                    "ErrorCode": "ResourceNotFound.Workspace",
                    "ErrorMessage": f"The WorkSpace {workspace_id} could not be found.",
                }
            )
        elif row["terminating_until"] is None:
            tx.conn.execute(
                "UPDATE workspaces SET terminating_until = ?, gone_at = ?, modification = NULL WHERE seq = ?",
                (
                    tx.after(lifecycle.TERMINATING_FOR),
                    tx.after(lifecycle.TERMINATING_FOR + lifecycle.TERMINATED_SHOWN_FOR),
                    row["seq"],
                ),
            )
    return {"FailedRequests": failed}


# --- StopWorkspaces and StartWorkspaces ----------------------------------------------------------


def stop_workspaces(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    return {"FailedRequests": _power(tx, params["StopWorkspaceRequests"], "STOPPED")}


def start_workspaces(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    return {"FailedRequests": _power(tx, params["StartWorkspaceRequests"], "AVAILABLE")}


def _power(tx: Tx, requests: list[dict[str, Any]], target: str) -> list[dict[str, Any]]:
    """Stop or start each WorkSpace; the ones that cannot be are FailedRequests."""
    failed = []
    needed, verb = ("AVAILABLE", "stopped") if target == "STOPPED" else ("STOPPED", "started")
    for request in requests:
        workspace_id = request.get("WorkspaceId")
        row = tx.conn.execute("SELECT * FROM workspaces WHERE workspace_id = ?", (workspace_id,)).fetchone()
        state = lifecycle.workspace_state(row, tx.now) if row is not None else None
        if row is None or state is None:
            code, message = "ResourceNotFound.Workspace", f"The WorkSpace {workspace_id} could not be found."
        elif json.loads(row["data"])["WorkspaceProperties"].get(MODE) not in ("AUTO_STOP", "MANUAL"):
            code = "UnsupportedWorkspaceConfigurationException"
            message = f"Only AUTO_STOP and MANUAL WorkSpaces can be {verb}; {workspace_id} is ALWAYS_ON."
        elif state != needed:
            code = "InvalidResourceStateException"
            message = f"The WorkSpace {workspace_id} is {state}; only a {needed} WorkSpace can be {verb}."
        else:
            seconds = lifecycle.STOPPING_FOR if target == "STOPPED" else lifecycle.STARTING_FOR
            power = {"to": target, "until": tx.after(seconds)}
            tx.conn.execute("UPDATE workspaces SET power = ? WHERE seq = ?", (json.dumps(power), row["seq"]))
            continue
        failed.append({"WorkspaceId": workspace_id, "ErrorCode": code, "ErrorMessage": message})
    return failed


OPERATIONS: dict[str, Operation] = {
    "TerminateWorkspaces": terminate_workspaces,
    "StopWorkspaces": stop_workspaces,
    "StartWorkspaces": start_workspaces,
}
