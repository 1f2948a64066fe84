"""What the operation modules share: the request's transaction view, the errors, new WorkSpace rows.

Its own module so that `operations` (which holds the OPERATIONS table) and `lifecycle_ops`
(which `operations` registers) can both use it without importing each other.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from wsctl.sandbox import ids, lifecycle
from wsctl.sandbox.settings import Settings
from wsctl.sandbox.store import next_counter
from wsctl.spec.model import Problem


class ApiError(Exception):
    """An error answer: HTTP status, `__type` code and message."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def invalid(message: str) -> ApiError:
    return ApiError("InvalidParameterValuesException", message)


class ItemFailure(Exception):
    """One CreateWorkspaces entry that fails (a FailedRequests entry, not an error answer)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Tx:
    """One request's view: the open transaction, its clock reading and the settings."""

    conn: sqlite3.Connection
    now: float
    settings: Settings

    def after(self, seconds: float) -> float:
        """`now` plus a lifecycle duration scaled by the reset's --time-scale."""
        return self.now + seconds * self.settings.time_scale

    def new_id(self, make: Callable[[int, int], str], table: str, column: str) -> str:
        while True:
            candidate = make(self.settings.seed, next_counter(self.conn, "next_id"))
            if self.conn.execute(f"SELECT 1 FROM {table} WHERE {column} = ?", (candidate,)).fetchone() is None:
                return candidate


Operation = Callable[[Tx, dict[str, Any]], dict[str, Any]]


def problems_text(problems: Sequence[Problem]) -> str:
    return "; ".join(f"{p.path_str}: {p.message}" if p.path else p.message for p in problems)


_WORKSPACE_COLUMNS = (
    "workspace_id",
    "directory_id",
    "user_name",
    "bundle_id",
    "workspace_name",
    "created",
    "visible_at",
    "ready_at",
    "outcome",
    "power",
    "data",
    "tags",
)


def insert_workspace(
    tx: Tx,
    request: dict[str, Any],
    directory_data: dict[str, Any],
    props: dict[str, Any],
    *,
    outcome: str,
    ready_after: float,
    action: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A new WorkSpace row for a checked WorkspaceRequest; its stored description (state aside).

    `outcome` is the state it reaches when PENDING ends; `action` a state change already
    planned for then (see lifecycle.workspace_state).
    """
    workspace_id = tx.new_id(ids.workspace_id, "workspaces", "workspace_id")
    number = int.from_bytes(hashlib.blake2b(workspace_id.encode(), digest_size=4).digest(), "big")
    subnets = directory_data["SubnetIds"]
    bundle_id = request["BundleId"]
    description: dict[str, Any] = {
        "WorkspaceId": workspace_id,
        "DirectoryId": request["DirectoryId"],
        "UserName": request["UserName"],
        "BundleId": bundle_id,
        "SubnetId": subnets[number % len(subnets)],
        "IpAddress": f"10.0.{number // 250 % 250 + 1}.{number % 250 + 4}",
        "ComputerName": "WSAMZN-" + ids.token(tx.settings.seed, "computer", number, 8),
    }
    if request.get("WorkspaceName"):
        description["WorkspaceName"] = request["WorkspaceName"]
    if request.get("VolumeEncryptionKey"):
        description["VolumeEncryptionKey"] = request["VolumeEncryptionKey"]
    description["UserVolumeEncryptionEnabled"] = bool(request.get("UserVolumeEncryptionEnabled"))
    description["RootVolumeEncryptionEnabled"] = bool(request.get("RootVolumeEncryptionEnabled"))
    description["WorkspaceProperties"] = props
    if outcome == "ERROR":
        description["ErrorCode"] = "ResourceCreationFailed"
        description["ErrorMessage"] = (
            f"The WorkSpace could not be launched: the image of bundle {bundle_id} failed to start "
            "(this sandbox bundle always fails)."
        )
    values = (
        workspace_id,
        request["DirectoryId"],
        request["UserName"],
        bundle_id,
        request.get("WorkspaceName"),
        tx.now,
        tx.after(lifecycle.VISIBLE_AFTER),
        tx.after(ready_after),
        outcome,
        json.dumps(action) if action is not None else None,
        json.dumps(description),
        json.dumps(request.get("Tags") or []),
    )
    marks = ", ".join("?" for _ in values)
    tx.conn.execute(f"INSERT INTO workspaces ({', '.join(_WORKSPACE_COLUMNS)}) VALUES ({marks})", values)
    return description
