"""The WorkSpaces reads `wsctl usage` needs besides DescribeWorkspaces: connection status and tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wsctl.aws.calls import MAX_IDS_PER_CALL, ServiceBase, chunked
from wsctl.errors import ServiceError

# What an endpoint without the operation answers (the sandbox; AWS answers this for unknown actions too).
UNKNOWN_OPERATION = "UnknownOperationException"


class UsageCalls(ServiceBase):
    def connection_status(self, workspace_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """WorkspacesConnectionStatus by ID: 25 IDs a call (workspaces-api.md), each call's pages followed."""
        unique = list(dict.fromkeys(workspace_ids))

        def fetch(chunk: Sequence[str]) -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = []
            params: dict[str, Any] = {"WorkspaceIds": list(chunk)}
            while True:
                response = self._call("describe_workspaces_connection_status", **params)
                found += response.get("WorkspacesConnectionStatus", [])
                token = response.get("NextToken")
                if not token:
                    return found
                params["NextToken"] = token

        out: dict[str, dict[str, Any]] = {}
        for statuses in self.map_concurrently(fetch, list(chunked(unique, MAX_IDS_PER_CALL))):
            for status in statuses:
                out[str(status["WorkspaceId"])] = status
        return out

    def tags_of(self, workspace_ids: Sequence[str]) -> dict[str, list[dict[str, Any]] | str]:
        """Each WorkSpace's tags, or the error code that refused them: DescribeTags takes one resource a call."""

        def fetch(workspace_id: str) -> tuple[str, list[dict[str, Any]] | str]:
            try:
                return workspace_id, list(self._call("describe_tags", ResourceId=workspace_id).get("TagList", []))
            except ServiceError as exc:
                return workspace_id, exc.code or "error"

        ids = list(dict.fromkeys(workspace_ids))
        if not ids:
            return {}
        first = fetch(ids[0])
        if first[1] == UNKNOWN_OPERATION:  # an endpoint without DescribeTags: do not ask for every WorkSpace
            return dict.fromkeys(ids, UNKNOWN_OPERATION)
        return {first[0]: first[1], **dict(self.map_concurrently(fetch, ids[1:]))}
