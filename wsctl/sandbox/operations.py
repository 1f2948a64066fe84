"""The WorkSpaces operations the sandbox answers, with the service's own rules.

Each operation is `(tx, params) -> response dict`, called inside one write transaction
after the request passed the service model's validation. An operation error is raised as
`ApiError` (the backend rolls back what the operation wrote and answers HTTP 400); a
CreateWorkspaces item that fails becomes a FailedRequests entry. The operations of the rest
of a WorkSpace's life (start, stop, reboot, rebuild, ..., terminate) are in `lifecycle_ops`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from wsctl.sandbox import ids, lifecycle, lifecycle_ops, usage
from wsctl.sandbox.common import ApiError, ItemFailure, Operation, Tx, insert_workspace, invalid, problems_text
from wsctl.sandbox.seed import UPDATE_FAILS_USER
from wsctl.sandbox.settings import ACCOUNT_ID
from wsctl.spec import rules
from wsctl.spec.model import Problem

__all__ = ["OPERATIONS", "ApiError", "ItemFailure", "Operation", "Tx", "invalid"]

PAGE_SIZE = 25
ROOT, USER, COMPUTE = rules.ROOT_KEY, rules.USER_KEY, rules.COMPUTE_KEY
MODE, TIMEOUT = rules.RUNNING_MODE_KEY, rules.TIMEOUT_KEY
DEFAULT_AUTO_STOP_MINUTES = 60

MANUAL_NEEDS_CORE = (
    "The MANUAL running mode is available only to Amazon WorkSpaces Core accounts that AWS has allow-listed; "
    "contact your AWS account team to have this account allow-listed."
)
BYOP_NEEDS_CORE = (
    "Ingestion process {process} (bring your own protocol) is available only to Amazon WorkSpaces Core "
    "accounts that AWS has allow-listed; contact your AWS account team to have this account allow-listed."
)
IN_PROGRESS_MESSAGE = "The properties of this WorkSpace are currently being modified. Try again in a moment."

_IMAGE_ERROR_DETAILS = (
    ("DomainJoined", "The image is joined to a domain; remove it from the domain, then create the AMI again."),
    ("FirewallEnabled", "Windows Firewall is enabled for the public profile; turn it off before importing."),
    ("PendingReboot", "Windows has a reboot pending; restart the instance, then create the AMI again."),
    ("OutdatedPowershellVersion", "PowerShell is older than version 5.1; update it before importing."),
)


# --- pagination ------------------------------------------------------------------------------


def filter_key(operation: str, params: dict[str, Any]) -> str:
    """A token is valid only for the filter it was issued for."""
    kept = {k: v for k, v in params.items() if k not in ("NextToken", "Limit", "MaxResults")}
    text = json.dumps([operation, kept], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_token(key: str, after: int) -> str:
    raw = json.dumps({"f": key, "a": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str | None, key: str) -> int:
    """The last sequence number of the previous page (-1 without a token)."""
    if token is None:
        return -1
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if isinstance(data, dict) and data.get("f") == key and isinstance(data.get("a"), int):
            return int(data["a"])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise invalid("The NextToken is not valid for this request; start again without it.")


def page(
    tx: Tx,
    operation: str,
    params: dict[str, Any],
    sql: str,
    args: dict[str, Any],
    limit: int,
) -> tuple[list[sqlite3.Row], str | None]:
    """Rows after the token's position (by seq), at most `limit`, and the next token if more exist."""
    key = filter_key(operation, params)
    args = {**args, "after": decode_token(params.get("NextToken"), key), "limit": limit + 1, "now": tx.now}
    rows = tx.conn.execute(f"{sql} AND seq > :after ORDER BY seq LIMIT :limit", args).fetchall()
    if len(rows) > limit:
        return rows[:limit], encode_token(key, rows[limit - 1]["seq"])
    return rows, None


def _in_list(name: str, values: Sequence[str], args: dict[str, Any]) -> str:
    marks = []
    for i, value in enumerate(values):
        args[f"{name}{i}"] = value
        marks.append(f":{name}{i}")
    return f"({', '.join(marks)})"


# --- CreateWorkspaces ---------------------------------------------------------------------------


# AWS's answer to a g4dn WorkSpace with volumes under 100 GiB: the whole call is refused, as quoted in
# hashicorp/terraform-provider-aws issue 39553 ("Graphics: Invalid root and user volume size selected
# ... (100+|100+)"); the middle of the sentence is not in the quote, so this one fills it in.
G4DN_VOLUMES_MESSAGE = (
    "Graphics: Invalid root and user volume size selected. Valid root and user volume sizes (GiB) for "
    "this bundle: (100+|100+)"
)


def _refuse_small_g4dn_volumes(tx: Tx, requests: Sequence[dict[str, Any]]) -> None:
    for request in requests:
        row = tx.conn.execute("SELECT data FROM bundles WHERE bundle_id = ?", (request.get("BundleId"),)).fetchone()
        if row is None:
            continue  # reported for that request alone, below
        props = _resolve_properties(request.get("WorkspaceProperties") or {}, json.loads(row["data"]))
        if props[COMPUTE] in rules.G4DN_FAMILY and min(props[ROOT], props[USER]) < rules.G4DN_MIN_GIB:
            raise invalid(G4DN_VOLUMES_MESSAGE)


def create_workspaces(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    _refuse_small_g4dn_volumes(tx, params["Workspaces"])
    pending: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for request in params["Workspaces"]:
        try:
            pending.append(_create_one(tx, request))
        except ItemFailure as failure:
            failed.append({"WorkspaceRequest": request, "ErrorCode": failure.code, "ErrorMessage": failure.message})
    return {"FailedRequests": failed, "PendingRequests": pending}


def _create_one(tx: Tx, request: dict[str, Any]) -> dict[str, Any]:
    conn = tx.conn
    directory_id, user_name, bundle_id = request["DirectoryId"], request["UserName"], request["BundleId"]
    directory = conn.execute("SELECT data FROM directories WHERE directory_id = ?", (directory_id,)).fetchone()
    if directory is None:
        raise ItemFailure(
            "ResourceNotFound.Directory", "The specified directory could not be found in the specified region."
        )
    decoupled = user_name == "[UNDEFINED]"
    if (
        not decoupled
        and not conn.execute(
            "SELECT 1 FROM users WHERE directory_id = ? AND user_name = ?", (directory_id, user_name)
        ).fetchone()
    ):
        raise ItemFailure(
            "ResourceNotFound.User", f"The specified user {user_name} could not be found in directory {directory_id}."
        )
    bundle = conn.execute("SELECT outcome, data FROM bundles WHERE bundle_id = ?", (bundle_id,)).fetchone()
    if bundle is None:
        raise ItemFailure("ResourceNotFound.Bundle", f"The specified bundle {bundle_id} could not be found.")
    if not decoupled and _has_workspace(tx, directory_id, user_name):
        raise ItemFailure("ResourceExists.WorkSpace", "A WorkSpace already exists for the specified user.")
    requested = request.get("WorkspaceProperties") or {}
    if requested.get(MODE) == "MANUAL" and not tx.settings.core:
        raise ItemFailure("InvalidParameterValuesException", MANUAL_NEEDS_CORE)
    bundle_data = json.loads(bundle["data"])
    props = _resolve_properties(requested, bundle_data)
    problems = [
        p
        for p in rules.workspace_request_problems(
            {**request, "WorkspaceProperties": {**requested, COMPUTE: props[COMPUTE]}}
        )
        if not p.warning
    ]
    if not problems and not rules.volume_pair_allowed(props[ROOT], props[USER], props[COMPUTE]):
        problems.append(
            Problem(
                ("WorkspaceProperties",),
                "rule",
                f"root {props[ROOT]} GiB with user {props[USER]} GiB (bundle {bundle_id} gives "
                f"{bundle_data['RootStorage']['Capacity']}/{bundle_data['UserStorage']['Capacity']}) is not an allowed "
                f"combination; allowed root/user GiB: {rules.ALLOWED_PAIRS_TEXT}",
            )
        )
    if problems:
        raise ItemFailure("InvalidParameterValuesException", problems_text(problems))

    encrypted = bool(request.get("RootVolumeEncryptionEnabled") or request.get("UserVolumeEncryptionEnabled"))
    description = insert_workspace(
        tx,
        request,
        json.loads(directory["data"]),
        props,
        outcome=bundle["outcome"],
        ready_after=lifecycle.PENDING_ENCRYPTED_FOR if encrypted else lifecycle.PENDING_FOR,
    )
    answer = {k: v for k, v in description.items() if k not in ("SubnetId", "IpAddress", "ComputerName")}
    answer.pop("ErrorCode", None)
    answer.pop("ErrorMessage", None)
    answer["State"] = "PENDING"
    return answer


def _has_workspace(tx: Tx, directory_id: str, user_name: str) -> bool:
    """Whether the user has a WorkSpace that is not TERMINATED (a failed migration's target is one)."""
    rows = tx.conn.execute(
        "SELECT * FROM workspaces WHERE directory_id = ? AND user_name = ?", (directory_id, user_name)
    ).fetchall()
    return any(lifecycle.workspace_state(row, tx.now) not in (None, "TERMINATED") for row in rows)


def _resolve_properties(requested: dict[str, Any], bundle: dict[str, Any]) -> dict[str, Any]:
    """The request's properties over the bundle's defaults, in the order AWS answers them."""
    mode = requested.get(MODE) or "AUTO_STOP"
    props: dict[str, Any] = {MODE: mode}
    if mode == "AUTO_STOP":
        props[TIMEOUT] = requested.get(TIMEOUT) or DEFAULT_AUTO_STOP_MINUTES
    props[ROOT] = requested.get(ROOT, int(bundle["RootStorage"]["Capacity"]))
    props[USER] = requested.get(USER, int(bundle["UserStorage"]["Capacity"]))
    props[COMPUTE] = requested.get(COMPUTE) or bundle["ComputeType"]["Name"]
    for key, value in requested.items():
        if key not in props and key != TIMEOUT:
            props[key] = value
    return props


# --- DescribeWorkspaces -------------------------------------------------------------------------

_VISIBLE = "visible_at <= :now AND (gone_at IS NULL OR gone_at > :now)"
_FILTERS = ("WorkspaceIds", "DirectoryId", "BundleId", "WorkspaceName")


def describe_workspaces(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    chosen = [f for f in _FILTERS if params.get(f) is not None]
    if len(chosen) > 1:
        raise invalid(
            f"Only one filter can be used at a time (got {' and '.join(chosen)}): use WorkspaceIds, DirectoryId "
            "(optionally with UserName), BundleId or WorkspaceName."
        )
    if params.get("UserName") is not None and params.get("DirectoryId") is None:
        raise invalid("UserName can be used only together with DirectoryId.")
    args: dict[str, Any] = {}
    where = _VISIBLE
    if params.get("WorkspaceIds") is not None:
        where += " AND workspace_id IN " + _in_list("id", params["WorkspaceIds"], args)
    elif params.get("DirectoryId") is not None:
        where += " AND directory_id = :directory"
        args["directory"] = params["DirectoryId"]
        if params.get("UserName") is not None:
            where += " AND user_name = :user"
            args["user"] = params["UserName"]
    elif params.get("BundleId") is not None:
        where += " AND bundle_id = :bundle"
        args["bundle"] = params["BundleId"]
    elif params.get("WorkspaceName") is not None:
        where += " AND workspace_name = :name"
        args["name"] = params["WorkspaceName"]
    rows, token = page(
        tx,
        "DescribeWorkspaces",
        params,
        f"SELECT * FROM workspaces WHERE {where}",
        args,
        params.get("Limit") or PAGE_SIZE,
    )
    workspaces = [ws for ws in (lifecycle.describe_workspace(r, tx.now) for r in rows) if ws is not None]
    return {"Workspaces": workspaces, **({"NextToken": token} if token else {})}


# --- ModifyWorkspaceProperties ------------------------------------------------------------------

_CHANGES = ((COMPUTE, "COMPUTE_TYPE"), (ROOT, "ROOT_VOLUME"), (USER, "USER_VOLUME"))


def modify_workspace_properties(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    workspace_id = params["WorkspaceId"]
    row = tx.conn.execute("SELECT * FROM workspaces WHERE workspace_id = ?", (workspace_id,)).fetchone()
    state = lifecycle.workspace_state(row, tx.now) if row is not None else None
    if row is None or state is None:
        raise ApiError("ResourceNotFoundException", f"The WorkSpace {workspace_id} could not be found.")
    data = json.loads(row["data"])
    props, modification, _ = lifecycle.settle_modification(
        data["WorkspaceProperties"], lifecycle.loads(row["modification"], None), [], tx.now
    )
    if modification is not None:
        raise ApiError("OperationInProgressException", IN_PROGRESS_MESSAGE)
    if state not in ("AVAILABLE", "STOPPED"):
        raise ApiError(
            "InvalidResourceStateException",
            f"The WorkSpace {workspace_id} is {state}; its properties can be modified only when it is AVAILABLE "
            "or STOPPED.",
        )
    wanted: dict[str, Any] = params.get("WorkspaceProperties") or {}
    if wanted.get(MODE) == "MANUAL" and not tx.settings.core:
        raise invalid(MANUAL_NEEDS_CORE)
    _check_modification(props, wanted)

    props = dict(props)
    for key, value in wanted.items():
        if key not in (COMPUTE, ROOT, USER, TIMEOUT):
            props[key] = value  # running mode and the rest apply at once
    if props.get(MODE) == "AUTO_STOP":
        props[TIMEOUT] = wanted.get(TIMEOUT) or props.get(TIMEOUT) or DEFAULT_AUTO_STOP_MINUTES
    else:
        props.pop(TIMEOUT, None)
    change = {key: wanted[key] for key, _ in _CHANGES if key in wanted and wanted[key] != props.get(key)}
    new_modification = None
    if change:
        seconds = lifecycle.COMPUTE_CHANGE_FOR if COMPUTE in change else lifecycle.VOLUME_CHANGE_FOR
        new_modification = {
            "started": tx.now,
            "until": tx.after(seconds),
            "resources": [resource for key, resource in _CHANGES if key in change],
            "props": change,
            "fails": row["user_name"] == UPDATE_FAILS_USER,
        }
    data["WorkspaceProperties"] = props
    tx.conn.execute(
        "UPDATE workspaces SET data = ?, modification = ?, failed_resources = NULL WHERE seq = ?",
        (json.dumps(data), json.dumps(new_modification) if new_modification else None, row["seq"]),
    )
    return {}


def _check_modification(props: dict[str, Any], wanted: dict[str, Any]) -> None:
    problems = [p for p in rules.modify_problems({"WorkspaceProperties": props}, wanted) if not p.warning]
    compute_problem = (
        rules.compute_change_problem(props.get(COMPUTE), wanted[COMPUTE], (COMPUTE,)) if COMPUTE in wanted else None
    )
    if compute_problem is not None:
        problems = [p for p in problems if p.message != compute_problem.message]
    old_root, old_user = props.get(ROOT), props.get(USER)
    new_root, new_user = wanted.get(ROOT, old_root), wanted.get(USER, old_user)
    if (
        isinstance(old_root, int)
        and isinstance(old_user, int)
        and isinstance(new_root, int)
        and isinstance(new_user, int)
    ):
        if new_root > old_root and new_user > old_user:
            problems.append(
                Problem(
                    (ROOT,),
                    "rule",
                    "the root and user volumes cannot both grow in one call; grow one, then the other",
                )
            )
        elif (
            (ROOT in wanted or USER in wanted)
            and not problems
            and not rules.volume_pair_allowed(new_root, new_user, props.get(COMPUTE))
        ):
            problems.append(
                Problem(
                    (ROOT,),
                    "rule",
                    f"root {new_root} GiB with user {new_user} GiB is not an allowed combination; "
                    f"allowed root/user GiB: {rules.ALLOWED_PAIRS_TEXT}",
                )
            )
    if problems:
        raise invalid(problems_text(problems))
    if compute_problem is not None:
        raise ApiError("UnsupportedWorkspaceConfigurationException", compute_problem.message)


# --- images ---------------------------------------------------------------------------------------


def import_workspace_image(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    process = params["IngestionProcess"]
    if process.endswith("_BYOP") and not tx.settings.core:
        raise ApiError("OperationNotSupportedException", BYOP_NEEDS_CORE.format(process=process))
    problems = [p for p in rules.import_image_problems(params) if not p.warning]
    if problems:
        raise invalid(problems_text(problems))
    ami = tx.conn.execute("SELECT outcome, data FROM amis WHERE image_id = ?", (params["Ec2ImageId"],)).fetchone()
    if ami is None:
        raise ApiError(
            "ResourceNotFoundException",
            f"The EC2 image {params['Ec2ImageId']} could not be found in this Region, or this account cannot use it.",
        )
    name = params["ImageName"]
    if tx.conn.execute("SELECT 1 FROM images WHERE name = ?", (name,)).fetchone():
        raise ApiError("ResourceAlreadyExistsException", f"An image named {name} already exists in this account.")
    owned = tx.conn.execute("SELECT count(*) FROM images WHERE owned = 1").fetchone()[0]
    if owned >= tx.settings.image_limit:
        raise ApiError(
            "ResourceLimitExceededException",
            f"This account already has {owned} images, the limit is {tx.settings.image_limit}: delete images "
            "you no longer use, or request a higher quota.",
        )
    image_id = tx.new_id(ids.image_id, "images", "image_id")
    image: dict[str, Any] = {
        "ImageId": image_id,
        "Name": name,
        "Description": params["ImageDescription"],
        "OperatingSystem": {"Type": "WINDOWS"},
        "RequiredTenancy": "DEFAULT",
        "Created": tx.now,
        "OwnerAccountId": ACCOUNT_ID,
    }
    if ami["outcome"] == "ERROR":
        image["SandboxFailure"] = {
            "ErrorCode": "ImageIngestionFailed",
            "ErrorMessage": "The image did not pass the BYOL checks; fix what ErrorDetails lists and import it again.",
            "ErrorDetails": [{"ErrorCode": code, "ErrorMessage": text} for code, text in _IMAGE_ERROR_DETAILS],
        }
    seconds = (
        lifecycle.IMAGE_WITH_APPLICATIONS_PENDING_FOR if params.get("Applications") else lifecycle.IMAGE_PENDING_FOR
    )
    tx.conn.execute(
        "INSERT INTO images (image_id, name, owned, ready_at, outcome, data, tags) VALUES (?, ?, 1, ?, ?, ?, ?)",
        (image_id, name, tx.after(seconds), ami["outcome"], json.dumps(image), json.dumps(params.get("Tags") or [])),
    )
    return {"ImageId": image_id}


def describe_workspace_images(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    args: dict[str, Any] = {}
    where = "owned = 1"
    if params.get("ImageType") == "SHARED":
        where = "owned = 0"  # nothing is shared with the sandbox account
    if params.get("ImageIds") is not None:
        where += " AND image_id IN " + _in_list("id", params["ImageIds"], args)
    rows, token = page(
        tx,
        "DescribeWorkspaceImages",
        params,
        f"SELECT * FROM images WHERE {where}",
        args,
        params.get("MaxResults") or PAGE_SIZE,
    )
    images = [lifecycle.describe_image(r, tx.now) for r in rows]
    return {"Images": images, **({"NextToken": token} if token else {})}


# --- directories and bundles ----------------------------------------------------------------------


def describe_workspace_directories(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    args: dict[str, Any] = {}
    where = "1 = 1"
    if params.get("DirectoryIds") is not None:
        where += " AND directory_id IN " + _in_list("id", params["DirectoryIds"], args)
    rows, token = page(
        tx,
        "DescribeWorkspaceDirectories",
        params,
        f"SELECT * FROM directories WHERE {where}",
        args,
        params.get("Limit") or PAGE_SIZE,
    )
    directories = [json.loads(r["data"]) for r in rows]
    names = params.get("WorkspaceDirectoryNames")
    if names is not None:
        directories = [d for d in directories if d.get("DirectoryName") in names]
    return {"Directories": directories, **({"NextToken": token} if token else {})}


def describe_workspace_bundles(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("BundleIds") is not None and params.get("Owner") is not None:
        raise invalid("BundleIds and Owner cannot be used in the same request; use one of them.")
    args: dict[str, Any] = {}
    if params.get("BundleIds") is not None:
        where = "bundle_id IN " + _in_list("id", params["BundleIds"], args)
    else:
        # No owner: the account's own bundles; AMAZON: Amazon's public bundles.
        where = "owner = :owner"
        args["owner"] = params.get("Owner") or ACCOUNT_ID
    rows, token = page(tx, "DescribeWorkspaceBundles", params, f"SELECT * FROM bundles WHERE {where}", args, PAGE_SIZE)
    bundles = [json.loads(r["data"]) for r in rows]
    return {"Bundles": bundles, **({"NextToken": token} if token else {})}


# --- DescribeWorkspacesConnectionStatus -----------------------------------------------------------


def describe_workspaces_connection_status(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    """Each WorkSpace's connection now, from the same seeded usage as its CloudWatch metrics.

    ConnectionState: CONNECTED while the profile has the user on an AVAILABLE WorkSpace,
    DISCONNECTED otherwise, UNKNOWN when it is not running (AWS: unknown when stopped; the
    sandbox says the same of PENDING, ERROR and the other states in which nobody can connect,
    unsourced). LastKnownUserConnectionTimestamp: when the latest session began (unsourced:
    AWS does not say whether it is the session's start or end); absent if the user never connected.
    """
    args: dict[str, Any] = {}
    where = _VISIBLE
    if params.get("WorkspaceIds") is not None:
        where += " AND workspace_id IN " + _in_list("id", params["WorkspaceIds"], args)
    rows, token = page(
        tx, "DescribeWorkspacesConnectionStatus", params, f"SELECT * FROM workspaces WHERE {where}", args, PAGE_SIZE
    )
    first, time_scale = usage.history_settings(tx.conn)
    statuses = []
    for row in rows:
        state = lifecycle.workspace_state(row, tx.now)
        if state is None:
            continue
        status: dict[str, Any] = {"WorkspaceId": row["workspace_id"]}
        found = usage.history(row, tx.now, first, time_scale)
        now_slot = int(tx.now // usage.SLOT)
        connected = found.series("UserConnected") if found is not None else None
        on_now = (
            connected is not None and state == "AVAILABLE" and now_slot >= first and bool(connected.value(now_slot))
        )
        status["ConnectionState"] = "CONNECTED" if on_now else "DISCONNECTED" if state in _CONNECTABLE else "UNKNOWN"
        status["ConnectionStateCheckTimestamp"] = tx.now
        if found is not None and connected is not None:
            began = usage.session_start(connected, now_slot + 1 if on_now else found.end, first)
            if began is not None:
                status["LastKnownUserConnectionTimestamp"] = float(began * usage.SLOT)
        statuses.append(status)
    return {"WorkspacesConnectionStatus": statuses, **({"NextToken": token} if token else {})}


# States in which a user could be connected (the rest answer UNKNOWN).
_CONNECTABLE = frozenset({"AVAILABLE", "IMPAIRED", "UNHEALTHY", "REBOOTING", "UPDATING"})


OPERATIONS: dict[str, Operation] = {
    "CreateWorkspaces": create_workspaces,
    "DescribeWorkspaces": describe_workspaces,
    "ModifyWorkspaceProperties": modify_workspace_properties,
    "ImportWorkspaceImage": import_workspace_image,
    "DescribeWorkspaceImages": describe_workspace_images,
    "DescribeWorkspaceDirectories": describe_workspace_directories,
    "DescribeWorkspaceBundles": describe_workspace_bundles,
    "DescribeWorkspacesConnectionStatus": describe_workspaces_connection_status,
    **lifecycle_ops.OPERATIONS,
}
