"""The operations of the rest of a WorkSpace's life: start, stop, reboot, rebuild, restore,
migrate, maintenance and terminate.

Registered in `operations.OPERATIONS` like the others; each is `(tx, params) -> response`.
The states each one is allowed from are those the API reference states (the operation docs
in the botocore model); what it does not state is marked UNVERIFIED where it is decided.

Error codes. FailedRequests items (Start, Stop, Reboot, Terminate, Rebuild) use the strings
the sandbox already answered before these operations: `ResourceNotFound.Workspace` for an
unknown ID, `InvalidResourceStateException` for a state the operation is not allowed from,
`UnsupportedWorkspaceConfigurationException` for an ALWAYS_ON WorkSpace (all UNVERIFIED: AWS
documents no codes for these items). The single-WorkSpace operations use codes that the
model lists for that operation: Rebuild's item and Restore's and Migrate's errors answer a
state they are not allowed from with `OperationNotSupportedException` (the only state-like
code all three list; UNVERIFIED), ModifyWorkspaceState with `InvalidResourceStateException`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wsctl.sandbox import lifecycle
from wsctl.sandbox.common import ApiError, Operation, Tx, insert_workspace, invalid
from wsctl.sandbox.seed import REBOOT_FAILS_USER, REBUILD_FAILS_USER, RESTORE_FAILS_USER
from wsctl.spec import rules

MODE, TIMEOUT = rules.RUNNING_MODE_KEY, rules.TIMEOUT_KEY
ROOT, USER, COMPUTE = rules.ROOT_KEY, rules.USER_KEY, rules.COMPUTE_KEY

NOT_FOUND_ITEM = "ResourceNotFound.Workspace"
WRONG_STATE = "InvalidResourceStateException"
NOT_SUPPORTED = "OperationNotSupportedException"
NOT_FOUND = "ResourceNotFoundException"
IN_PROGRESS = "OperationInProgressException"

START_FROM = ("STOPPED",)
STOP_FROM = ("AVAILABLE", "IMPAIRED", "UNHEALTHY", "ERROR")
# AWS allows REBOOTING only for a WorkSpace stuck in it over 20 minutes; a sandbox reboot
# never sticks, so a reboot while rebooting simply starts the reboot again.
REBOOT_FROM = ("AVAILABLE", "UNHEALTHY", "REBOOTING")
REBUILD_FROM = ("AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED", "REBOOTING")
RESTORE_FROM = ("AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED")
# UNVERIFIED: the API reference states no states for MigrateWorkspace; chosen for the
# sandbox as the two a WorkSpace rests in.
MIGRATE_FROM = ("AVAILABLE", "STOPPED")
# UNVERIFIED: the reference says only what ADMIN_MAINTENANCE refuses, not what may enter it;
# chosen for the sandbox: only an AVAILABLE WorkSpace, and back only from ADMIN_MAINTENANCE.
MAINTENANCE_FROM = {"ADMIN_MAINTENANCE": ("AVAILABLE",), "AVAILABLE": ("ADMIN_MAINTENANCE",)}
POWER_MODES = ("AUTO_STOP", "MANUAL")

IN_PROGRESS_MESSAGE = "The properties of this WorkSpace are currently being modified. Try again in a moment."


@dataclass(frozen=True)
class Found:
    """A WorkSpace that DescribeWorkspaces can still return, with its state now."""

    row: sqlite3.Row
    state: str

    @property
    def workspace_id(self) -> str:
        return str(self.row["workspace_id"])

    @property
    def props(self) -> dict[str, Any]:
        props: dict[str, Any] = json.loads(self.row["data"])["WorkspaceProperties"]
        return props

    @property
    def user_name(self) -> str:
        return str(self.row["user_name"])

    @property
    def image_fails(self) -> bool:
        """Its bundle's image never starts: whatever boots it again ends in ERROR again."""
        return bool(self.row["outcome"] == "ERROR")


Refusal = tuple[str, str]  # (ErrorCode, ErrorMessage)


def _find(tx: Tx, workspace_id: str | None) -> Found | None:
    row = tx.conn.execute("SELECT * FROM workspaces WHERE workspace_id = ?", (workspace_id,)).fetchone()
    state = lifecycle.workspace_state(row, tx.now) if row is not None else None
    return Found(row, state) if row is not None and state is not None else None


def _not_found_message(workspace_id: str | None) -> str:
    return f"The WorkSpace {workspace_id} could not be found."


def _change(tx: Tx, found: Found, during: str, to: str, seconds: float, error: dict[str, str] | None = None) -> None:
    change: dict[str, Any] = {"during": during, "to": to, "until": tx.after(seconds)}
    if error is not None:
        change["error"] = error
    tx.conn.execute("UPDATE workspaces SET power = ? WHERE seq = ?", (json.dumps(change), found.row["seq"]))


def _maintenance(found: Found, code: str, verb: str) -> Refusal | None:
    if found.state != "ADMIN_MAINTENANCE":
        return None
    return code, (
        f"The WorkSpace {found.workspace_id} is in ADMIN_MAINTENANCE and cannot be {verb}; "
        "set its state back to AVAILABLE first (ModifyWorkspaceState)."
    )


def _wrong_state(found: Found, code: str, verb: str, allowed: tuple[str, ...]) -> Refusal | None:
    if found.state in allowed:
        return None
    return code, f"The WorkSpace {found.workspace_id} is {found.state}; only {_either(allowed)} can be {verb}."


def _either(states: tuple[str, ...]) -> str:
    words = [f"an {s}" if s[0] in "AEIOU" else f"a {s}" for s in states]
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
    return f"{listed} WorkSpace"


def _batch(
    tx: Tx,
    requests: list[dict[str, Any]],
    refusal: Callable[[Found], Refusal | None],
    apply: Callable[[Found], None],
) -> dict[str, Any]:
    """Each request's WorkSpace is changed, or becomes a FailedRequests item."""
    failed: list[dict[str, Any]] = []
    done: set[str] = set()
    for request in requests:
        workspace_id = request.get("WorkspaceId")
        if workspace_id is None:
            # StartRequest and StopRequest leave WorkspaceId optional in the model.
            # UNVERIFIED: chosen for the sandbox.
            failed.append(
                {"ErrorCode": "InvalidParameterValuesException", "ErrorMessage": "The request has no WorkspaceId."}
            )
            continue
        if workspace_id in done:  # named twice in one call: changed once, no failure for the repeat
            continue
        found = _find(tx, workspace_id)
        refused = (NOT_FOUND_ITEM, _not_found_message(workspace_id)) if found is None else refusal(found)
        if refused is not None:
            failed.append({"WorkspaceId": workspace_id, "ErrorCode": refused[0], "ErrorMessage": refused[1]})
            continue
        assert found is not None
        apply(found)
        done.add(workspace_id)
    return {"FailedRequests": failed}


def _first(*refusals: Callable[[], Refusal | None]) -> Refusal | None:
    for check in refusals:
        refused = check()
        if refused is not None:
            return refused
    return None


def _always_on(found: Found, verb: str) -> Refusal | None:
    if found.props.get(MODE) in POWER_MODES:
        return None
    # UNVERIFIED: code and message chosen for the sandbox.
    return (
        "UnsupportedWorkspaceConfigurationException",
        f"Only AUTO_STOP and MANUAL WorkSpaces can be {verb}; {found.workspace_id} is {found.props.get(MODE)}.",
    )


# --- StartWorkspaces, StopWorkspaces, RebootWorkspaces ---------------------------------------------


def start_workspaces(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    def refusal(found: Found) -> Refusal | None:
        return _first(
            lambda: _maintenance(found, WRONG_STATE, "started"),
            lambda: _always_on(found, "started"),
            lambda: _wrong_state(found, WRONG_STATE, "started", START_FROM),
        )

    def apply(found: Found) -> None:
        _change(tx, found, "STARTING", "ERROR" if found.image_fails else "AVAILABLE", lifecycle.STARTING_FOR)

    return _batch(tx, params["StartWorkspaceRequests"], refusal, apply)


def stop_workspaces(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    def refusal(found: Found) -> Refusal | None:
        return _first(
            lambda: _maintenance(found, WRONG_STATE, "stopped"),
            lambda: _always_on(found, "stopped"),
            lambda: _wrong_state(found, WRONG_STATE, "stopped", STOP_FROM),
        )

    def apply(found: Found) -> None:
        _change(tx, found, "STOPPING", "STOPPED", lifecycle.STOPPING_FOR)

    return _batch(tx, params["StopWorkspaceRequests"], refusal, apply)


def reboot_workspaces(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    def refusal(found: Found) -> Refusal | None:
        return _first(
            lambda: _maintenance(found, WRONG_STATE, "rebooted"),
            lambda: _wrong_state(found, WRONG_STATE, "rebooted", REBOOT_FROM),
        )

    def apply(found: Found) -> None:
        ends = "UNHEALTHY" if found.user_name == REBOOT_FAILS_USER else "AVAILABLE"
        _change(tx, found, "REBOOTING", ends, lifecycle.REBOOTING_FOR)

    return _batch(tx, params["RebootWorkspaceRequests"], refusal, apply)


# --- RebuildWorkspaces, RestoreWorkspace ------------------------------------------------------------


def rebuild_workspaces(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    def refusal(found: Found) -> Refusal | None:
        return _first(
            lambda: _maintenance(found, NOT_SUPPORTED, "rebuilt"),
            lambda: _wrong_state(found, NOT_SUPPORTED, "rebuilt", REBUILD_FROM),
        )

    def apply(found: Found) -> None:
        # The root volume comes from the bundle's image again: one that never starts fails again.
        _ends_or_fails(tx, found, "REBUILDING", lifecycle.REBUILDING_FOR, REBUILD_FAILS_USER, _REBUILD_FAILED)

    return _batch(tx, params["RebuildWorkspaceRequests"], refusal, apply)


def restore_workspace(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    workspace_id = params["WorkspaceId"]
    found = _find(tx, workspace_id)
    if found is None:
        raise ApiError(NOT_FOUND, _not_found_message(workspace_id))
    refused = _first(
        lambda: _maintenance(found, NOT_SUPPORTED, "restored"),
        lambda: _wrong_state(found, NOT_SUPPORTED, "restored", RESTORE_FROM),
    )
    if refused is not None:
        raise ApiError(*refused)
    # A WorkSpace whose image never started has no healthy state to go back to.
    _ends_or_fails(tx, found, "RESTORING", lifecycle.RESTORING_FOR, RESTORE_FAILS_USER, _RESTORE_FAILED)
    return {}


# UNVERIFIED: the codes and messages of the fault users' ERROR, chosen for the sandbox (AWS
# documents Workspace.ErrorCode only for a failed creation).
_REBUILD_FAILED = {
    "ErrorCode": "RebuildFailed",
    "ErrorMessage": "The WorkSpace could not be rebuilt (this sandbox user's rebuilds always fail); restore it.",
}
_RESTORE_FAILED = {
    "ErrorCode": "RestoreFailed",
    "ErrorMessage": "The WorkSpace could not be restored (this sandbox user's restores always fail); rebuild it.",
}


def _ends_or_fails(tx: Tx, found: Found, during: str, seconds: float, fault_user: str, failure: dict[str, str]) -> None:
    """A change that ends AVAILABLE, or ERROR for the fault user and for an image that never starts."""
    if found.user_name == fault_user:
        _change(tx, found, during, "ERROR", seconds, failure)
    else:
        _change(tx, found, during, "ERROR" if found.image_fails else "AVAILABLE", seconds)


# --- ModifyWorkspaceState ----------------------------------------------------------------------------


def modify_workspace_state(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    workspace_id, wanted = params["WorkspaceId"], params["WorkspaceState"]
    found = _find(tx, workspace_id)
    if found is None:
        raise ApiError(NOT_FOUND, _not_found_message(workspace_id))
    allowed = MAINTENANCE_FROM[wanted]  # the model's enum has only these two; the backend checked it
    if found.state not in allowed:
        raise ApiError(
            WRONG_STATE,
            f"The WorkSpace {workspace_id} is {found.state}; only {_either(allowed)} can be set to {wanted}.",
        )
    _change(tx, found, wanted, wanted, 0.0)
    return {}


# --- TerminateWorkspaces -------------------------------------------------------------------------------


def terminate_workspaces(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    def refusal(found: Found) -> Refusal | None:
        # Any state but SUSPENDED, which the sandbox never reaches.
        return _wrong_state(found, WRONG_STATE, "terminated", ()) if found.state == "SUSPENDED" else None

    def apply(found: Found) -> None:
        _terminate(tx, found.row)

    return _batch(tx, params["TerminateWorkspaceRequests"], refusal, apply)


def _terminate(tx: Tx, row: sqlite3.Row) -> None:
    if row["terminating_until"] is not None:
        return  # already on its way: terminating again changes nothing
    tx.conn.execute(
        "UPDATE workspaces SET terminating_until = ?, gone_at = ?, modification = NULL WHERE seq = ?",
        (
            tx.after(lifecycle.TERMINATING_FOR),
            tx.after(lifecycle.TERMINATING_FOR + lifecycle.TERMINATED_SHOWN_FOR),
            row["seq"],
        ),
    )


# --- MigrateWorkspace ---------------------------------------------------------------------------------


def migrate_workspace(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    """A new WorkSpace from the target bundle for the same user; the source is terminated.

    The Administration Guide: when an error prevents the migration, the original WorkSpace is
    recovered as it was and the new one terminated. In the sandbox a migration to a bundle
    whose image fails is that case: the target is PENDING, then TERMINATING, TERMINATED and
    gone, and the source is left as it is.
    """
    source_id, bundle_id = params["SourceWorkspaceId"], params["BundleId"]
    source = _find(tx, source_id)
    if source is None:
        raise ApiError(NOT_FOUND, _not_found_message(source_id))
    bundle = tx.conn.execute("SELECT outcome, data FROM bundles WHERE bundle_id = ?", (bundle_id,)).fetchone()
    if bundle is None:
        raise ApiError(NOT_FOUND, f"The bundle {bundle_id} could not be found.")
    if _migration_running(tx, source_id) or _modification_running(tx, source):
        raise ApiError(IN_PROGRESS, f"The WorkSpace {source_id} is being migrated or modified. Try again later.")
    refused = _wrong_state(source, NOT_SUPPORTED, "migrated", MIGRATE_FROM)
    if refused is not None:
        raise ApiError(*refused)
    if source.row["bundle_id"] == bundle_id:
        # UNVERIFIED: chosen for the sandbox.
        raise invalid(f"The WorkSpace {source_id} already uses bundle {bundle_id}; choose another target bundle.")
    props = _migrated_properties(source, json.loads(bundle["data"]))
    fails = bundle["outcome"] == "ERROR"
    request = _same_owner(source, bundle_id)
    directory = tx.conn.execute(
        "SELECT data FROM directories WHERE directory_id = ?", (source.row["directory_id"],)
    ).fetchone()
    change = None
    if fails:
        ends = lifecycle.MIGRATING_FOR + lifecycle.TERMINATING_FOR
        change = {"during": "TERMINATING", "to": "TERMINATED", "until": tx.after(ends), "migrating": source_id}
    target = insert_workspace(
        tx,
        request,
        json.loads(directory["data"]),
        props,
        outcome="AVAILABLE",
        ready_after=lifecycle.MIGRATING_FOR,
        action=change,
    )
    if fails:
        gone = tx.after(lifecycle.MIGRATING_FOR + lifecycle.TERMINATING_FOR + lifecycle.TERMINATED_SHOWN_FOR)
        tx.conn.execute("UPDATE workspaces SET gone_at = ? WHERE workspace_id = ?", (gone, target["WorkspaceId"]))
    else:
        _terminate(tx, source.row)
    return {"SourceWorkspaceId": source_id, "TargetWorkspaceId": target["WorkspaceId"]}


def _migration_running(tx: Tx, source_id: str) -> bool:
    row = tx.conn.execute(
        "SELECT 1 FROM workspaces WHERE json_extract(power, '$.migrating') = ? AND json_extract(power, '$.until') > ?",
        (source_id, tx.now),
    ).fetchone()
    return row is not None


def _modification_running(tx: Tx, found: Found) -> bool:
    _, modification, _ = lifecycle.settle_modification(
        found.props, lifecycle.loads(found.row["modification"], None), [], tx.now
    )
    return modification is not None


def _migrated_properties(source: Found, bundle: dict[str, Any]) -> dict[str, Any]:
    """The source's running mode over the target bundle's compute type and volumes.

    UNVERIFIED: AWS says only that the root volume comes from the target bundle's image and
    the user volume from the source's last snapshot. The sandbox keeps each volume at least
    as large as it was (a snapshot cannot shrink) and at least the bundle's size.
    """
    old = source.props
    compute = bundle["ComputeType"]["Name"]
    root = max(int(old.get(ROOT) or 0), int(bundle["RootStorage"]["Capacity"]))
    user = max(int(old.get(USER) or 0), int(bundle["UserStorage"]["Capacity"]))
    if not rules.volume_pair_allowed(root, user, compute):
        raise invalid(
            f"The WorkSpace {source.workspace_id} has root {old.get(ROOT)} GiB and user {old.get(USER)} GiB; "
            f"on {compute} that becomes root {root} GiB with user {user} GiB, which is not an allowed "
            f"combination (allowed root/user GiB: {rules.ALLOWED_PAIRS_TEXT})."
        )
    props: dict[str, Any] = {MODE: old.get(MODE)}
    if TIMEOUT in old:
        props[TIMEOUT] = old[TIMEOUT]
    props.update({ROOT: root, USER: user, COMPUTE: compute})
    props.update({k: v for k, v in old.items() if k not in props})
    return props


def _same_owner(source: Found, bundle_id: str) -> dict[str, Any]:
    """The WorkspaceRequest the target is created from: the source's user, name, encryption, tags."""
    data = json.loads(source.row["data"])
    request: dict[str, Any] = {
        "DirectoryId": source.row["directory_id"],
        "UserName": source.row["user_name"],
        "BundleId": bundle_id,
        "Tags": lifecycle.loads(source.row["tags"], []),
    }
    for key in ("WorkspaceName", "VolumeEncryptionKey", "UserVolumeEncryptionEnabled", "RootVolumeEncryptionEnabled"):
        if key in data:
            request[key] = data[key]
    return request


OPERATIONS: dict[str, Operation] = {
    "StartWorkspaces": start_workspaces,
    "StopWorkspaces": stop_workspaces,
    "RebootWorkspaces": reboot_workspaces,
    "RebuildWorkspaces": rebuild_workspaces,
    "RestoreWorkspace": restore_workspace,
    "MigrateWorkspace": migrate_workspace,
    "ModifyWorkspaceState": modify_workspace_state,
    "TerminateWorkspaces": terminate_workspaces,
}
