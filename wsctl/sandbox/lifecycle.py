"""Lifecycle derived from timestamps at read time: no background thread, nothing to start.

A row stores when things happen (visible at, ready at, modification until, gone at); a
description computes the state for "now". Durations are the demo-friendly defaults below
times the reset's `--time-scale` (0.1 is ten times faster), fixed when the action starts.

The `power` column holds the last state change asked for once PENDING is over (start,
stop, reboot, rebuild, restore, maintenance): `{"during": state while it runs, "to": state
after, "until": when it ends}`, and `"error"` (ErrorCode, ErrorMessage) when it ends in
ERROR. It is named for the first two of these; one column keeps the schema unchanged.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

# Seconds at time scale 1.
VISIBLE_AFTER = 0.5  # a new ID may return no information from DescribeWorkspaces for a while
PENDING_FOR = 5.0
PENDING_ENCRYPTED_FOR = 10.0
COMPUTE_CHANGE_FOR = 4.0
VOLUME_CHANGE_FOR = 6.0
STOPPING_FOR = 2.0
STARTING_FOR = 2.0
REBOOTING_FOR = 3.0
REBUILDING_FOR = 6.0
RESTORING_FOR = 5.0
MIGRATING_FOR = 8.0  # the target is PENDING this long (AWS: up to an hour, against up to 20 minutes to create)
TERMINATING_FOR = 2.0
TERMINATED_SHOWN_FOR = 2.0
IMAGE_PENDING_FOR = 8.0
IMAGE_WITH_APPLICATIONS_PENDING_FOR = 16.0

# What a change written before "during" was stored shows while it runs.
_DURING = {"STOPPED": "STOPPING", "AVAILABLE": "STARTING"}

# Fields a WorkSpace has only once it runs.
_RUNNING_FIELDS = ("ComputerName", "IpAddress", "SubnetId")
_ERROR_FIELDS = ("ErrorCode", "ErrorMessage")

Row = sqlite3.Row | Mapping[str, Any]


def loads(text: str | None, default: Any) -> Any:
    return json.loads(text) if text else default


def workspace_state(row: Row, now: float) -> str | None:
    """The state at `now`, or None once a terminated WorkSpace has disappeared."""
    if row["gone_at"] is not None and now >= row["gone_at"]:
        return None
    if row["terminating_until"] is not None:
        return "TERMINATING" if now < row["terminating_until"] else "TERMINATED"
    if now < row["ready_at"]:
        return "PENDING"
    change = loads(row["power"], None)
    if change is not None:
        if now < change["until"]:
            return str(change.get("during") or _DURING[change["to"]])
        return str(change["to"])
    return str(row["outcome"])


def settle_modification(
    props: dict[str, Any], modification: dict[str, Any] | None, failed: list[str], now: float
) -> tuple[dict[str, Any], dict[str, Any] | None, list[str]]:
    """Properties, the modification still running (or None) and UPDATE_FAILED resources at `now`."""
    if modification is not None and now >= modification["until"]:
        if modification["fails"]:
            failed = list(modification["resources"])
        else:
            props = {**props, **modification["props"]}
        modification = None
    return props, modification, failed


def modification_states(modification: dict[str, Any] | None, failed: list[str], now: float) -> list[dict[str, str]]:
    if modification is not None:
        started, until = modification["started"], modification["until"]
        state = "UPDATE_INITIATED" if now - started < (until - started) / 3 else "UPDATE_IN_PROGRESS"
        return [{"Resource": r, "State": state} for r in modification["resources"]]
    return [{"Resource": r, "State": "UPDATE_FAILED"} for r in failed]


def describe_workspace(row: Row, now: float) -> dict[str, Any] | None:
    """The DescribeWorkspaces entry for a row at `now` (None when it has disappeared)."""
    state = workspace_state(row, now)
    if state is None:
        return None
    ws: dict[str, Any] = json.loads(row["data"])
    props, modification, failed = settle_modification(
        ws.get("WorkspaceProperties", {}),
        loads(row["modification"], None),
        loads(row["failed_resources"], []),
        now,
    )
    ws["WorkspaceProperties"] = props
    ws["State"] = state
    if state in ("PENDING", "ERROR", "TERMINATED"):
        for key in _RUNNING_FIELDS:
            ws.pop(key, None)
    if state != "ERROR":
        for key in _ERROR_FIELDS:
            ws.pop(key, None)
    else:
        ws.update((loads(row["power"], None) or {}).get("error") or {})
    ws["ModificationStates"] = modification_states(modification, failed, now) if state != "TERMINATED" else []
    return ws


def image_state(row: Row, now: float) -> str:
    return "PENDING" if now < row["ready_at"] else str(row["outcome"])


def describe_image(row: Row, now: float) -> dict[str, Any]:
    image: dict[str, Any] = json.loads(row["data"])
    failure = image.pop("SandboxFailure", None)
    state = image_state(row, now)
    image["State"] = state
    if state == "ERROR" and failure:
        image.update(failure)
    return image
