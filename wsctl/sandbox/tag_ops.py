"""DescribeTags, CreateTags and DeleteTags: the tags of a WorkSpace or an image, one resource a call.

As AWS: DescribeWorkspaces returns no tags (the Workspace shape has no Tags member), so a
WorkSpace's tags are read with DescribeTags, which takes exactly one ResourceId. CreateTags
adds or overwrites by key, DeleteTags removes keys (a key that is not there is no error,
UNVERIFIED: chosen as AWS's other tagging APIs behave). At most 50 tags a resource [AG];
keys starting with aws: are reserved.
"""

from __future__ import annotations

import json
from typing import Any

from wsctl.sandbox import lifecycle
from wsctl.sandbox.common import ApiError, Operation, Tx, invalid
from wsctl.spec import rules

NOT_FOUND = "ResourceNotFoundException"


def _resource(tx: Tx, resource_id: str) -> tuple[str, str, list[dict[str, str]]]:
    """(table, key column, current tags) of a resource DescribeWorkspaces or DescribeWorkspaceImages shows."""
    row = tx.conn.execute("SELECT * FROM workspaces WHERE workspace_id = ?", (resource_id,)).fetchone()
    if row is not None and lifecycle.describe_workspace(row, tx.now) is not None:
        return "workspaces", "workspace_id", lifecycle.loads(row["tags"], [])
    row = tx.conn.execute("SELECT tags FROM images WHERE image_id = ?", (resource_id,)).fetchone()
    if row is not None:
        return "images", "image_id", lifecycle.loads(row["tags"], [])
    raise ApiError(NOT_FOUND, f"The resource {resource_id} could not be found.")


def _store(tx: Tx, table: str, column: str, resource_id: str, tags: list[dict[str, str]]) -> None:
    tx.conn.execute(f"UPDATE {table} SET tags = ? WHERE {column} = ?", (json.dumps(tags), resource_id))


def describe_tags(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    _, _, tags = _resource(tx, params["ResourceId"])
    return {"TagList": tags}


def create_tags(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    resource_id = params["ResourceId"]
    table, column, tags = _resource(tx, resource_id)
    reserved = [t["Key"] for t in params["Tags"] if str(t.get("Key", "")).lower().startswith("aws:")]
    if reserved:
        raise invalid(f"The tag key {reserved[0]} uses the aws: prefix, which is reserved by AWS.")
    merged = {t["Key"]: t for t in tags}
    for tag in params["Tags"]:
        merged[tag["Key"]] = {"Key": tag["Key"], "Value": tag.get("Value", "")}
    if len(merged) > rules.MAX_TAGS:
        raise ApiError(
            "ResourceLimitExceededException",
            f"The resource {resource_id} would have {len(merged)} tags; at most {rules.MAX_TAGS} are allowed.",
        )
    _store(tx, table, column, resource_id, list(merged.values()))
    return {}


def delete_tags(tx: Tx, params: dict[str, Any]) -> dict[str, Any]:
    resource_id = params["ResourceId"]
    table, column, tags = _resource(tx, resource_id)
    gone = set(params["TagKeys"])
    _store(tx, table, column, resource_id, [t for t in tags if t["Key"] not in gone])
    return {}


OPERATIONS: dict[str, Operation] = {
    "DescribeTags": describe_tags,
    "CreateTags": create_tags,
    "DeleteTags": delete_tags,
}
