"""The service object: the only code that calls the WorkSpaces API (besides the sandbox's transport).

As aws-cli's `Deployer`, it is handed a client (`WorkspacesService(client)`), so tests drive
it with botocore's Stubber and the CLI with a client that points at AWS or at the sandbox;
one method per thing wsctl asks of the service, every call through `_call` (errors become
wsctl's own). It never prompts and never prints. Results are plain dicts in the API's own
shapes. Each part of the API lives in a module of its own: creates, modifies, images, lifecycle, tags.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from wsctl.aws.calls import DEFAULT_WORKERS, MAX_IDS_PER_CALL, PAGE_SIZE, chunked
from wsctl.aws.creates import CreateCalls
from wsctl.aws.images import ImageCalls
from wsctl.aws.lifecycle import LifecycleCalls
from wsctl.aws.modifies import ModifyCalls
from wsctl.aws.tags import TagCalls
from wsctl.aws.usage_calls import UsageCalls

__all__ = ["DEFAULT_WORKERS", "WorkspacesService"]


class WorkspacesService(CreateCalls, ModifyCalls, ImageCalls, LifecycleCalls, TagCalls, UsageCalls):
    # --- DescribeWorkspaces --------------------------------------------------------------------

    def describe_workspaces(
        self,
        *,
        workspace_ids: Sequence[str] | None = None,
        directory_id: str | None = None,
        user_name: str | None = None,
        bundle_id: str | None = None,
        workspace_name: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """All WorkSpaces the filter selects, every page, IDs split into calls of 25."""
        if workspace_ids:
            found = self.describe_workspaces_by_id(workspace_ids)
            ordered = [found[i] for i in dict.fromkeys(workspace_ids) if i in found]
            return ordered[:limit] if limit else ordered
        params: dict[str, Any] = {}
        if directory_id:
            params["DirectoryId"] = directory_id
        if user_name:
            params["UserName"] = user_name
        if bundle_id:
            params["BundleId"] = bundle_id
        if workspace_name:
            params["WorkspaceName"] = workspace_name
            # Filtered here too: an endpoint may ignore WorkspaceName (moto does) and return everything.
            named = [w for w in self.iter_workspaces(params) if w.get("WorkspaceName") == workspace_name]
            return named[:limit] if limit else named
        return list(self.iter_workspaces(params, limit=limit))

    def iter_workspaces(self, params: dict[str, Any], *, limit: int | None = None) -> Iterator[dict[str, Any]]:
        config: dict[str, Any] = {"PageSize": PAGE_SIZE}
        if limit:
            config["MaxItems"] = limit
        yield from self._pages("describe_workspaces", "Workspaces", **params, PaginationConfig=config)

    def describe_workspaces_by_id(self, workspace_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Descriptions keyed by ID; IDs the service does not return are absent."""
        unique = list(dict.fromkeys(workspace_ids))
        found: dict[str, dict[str, Any]] = {}

        def fetch(chunk: Sequence[str]) -> list[dict[str, Any]]:
            response = self._call("describe_workspaces", WorkspaceIds=list(chunk))
            return list(response.get("Workspaces", []))

        for workspaces in self.map_concurrently(fetch, list(chunked(unique, MAX_IDS_PER_CALL))):
            for ws in workspaces:
                found[ws["WorkspaceId"]] = ws
        return found

    # --- supporting reads ------------------------------------------------------------------

    def describe_directories(self) -> list[dict[str, Any]]:
        return list(self._pages("describe_workspace_directories", "Directories"))

    def describe_bundles(
        self, *, owner: str | None = None, bundle_ids: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        if bundle_ids:
            out: list[dict[str, Any]] = []
            for chunk in chunked(list(bundle_ids), MAX_IDS_PER_CALL):
                out += self._call("describe_workspace_bundles", BundleIds=list(chunk)).get("Bundles", [])
            return out
        params = {"Owner": owner} if owner else {}
        return list(self._pages("describe_workspace_bundles", "Bundles", **params))
