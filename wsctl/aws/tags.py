"""DescribeTags, CreateTags and DeleteTags for WorkSpaces: one ResourceId a call, as the API takes them.

DescribeWorkspaces returns no tags (the model's Workspace shape has no Tags member), so
reading the tags of n WorkSpaces takes n DescribeTags calls; they overlap within the
client-side rate limit. Changes report per WorkSpace, as ModifyWorkspaceProperties does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wsctl.aws.calls import STOP_EVERYTHING, ServiceBase
from wsctl.aws.creates import Recorder
from wsctl.aws.modifies import ModifyOutcome
from wsctl.errors import ServiceError

TagList = list[dict[str, str]]


class TagCalls(ServiceBase):
    def describe_tags(self, resource_ids: Sequence[str]) -> dict[str, TagList]:
        """The tags of each resource, keyed by ID; one DescribeTags call each."""

        def fetch(resource_id: str) -> tuple[str, TagList]:
            response = self._call("describe_tags", ResourceId=resource_id)
            return resource_id, list(response.get("TagList", []))

        return dict(self.map_concurrently(fetch, list(dict.fromkeys(resource_ids))))

    def change_tags(
        self,
        changes: Sequence[tuple[str, TagList, list[str]]],
        outcome: ModifyOutcome,
        record: Recorder | None = None,
    ) -> ModifyOutcome:
        """For each (WorkspaceId, tags to add or change, keys to remove): CreateTags, then DeleteTags.

        A WorkSpace whose CreateTags is refused is not sent its DeleteTags: its tags stay as
        they were, or as far as the first call took them, and the refusal is reported.
        """

        def one(change: tuple[str, TagList, list[str]]) -> None:
            workspace_id, tags, keys = change
            calls: list[tuple[str, dict[str, Any]]] = []
            if tags:
                calls.append(("create_tags", {"ResourceId": workspace_id, "Tags": tags}))
            if keys:
                calls.append(("delete_tags", {"ResourceId": workspace_id, "TagKeys": keys}))
            for operation, params in calls:
                if record:
                    record.write("send", operation=operation, **params)
                try:
                    self._call(operation, **params)
                except ServiceError as exc:
                    if exc.code in STOP_EVERYTHING:
                        raise
                    outcome.fail(workspace_id, exc.code, exc.aws_message)
                    if record:
                        record.write("response", WorkspaceId=workspace_id, ErrorCode=exc.code)
                    return
                if record:
                    record.write("response", WorkspaceId=workspace_id, ok=True)
            outcome.ok(workspace_id)

        for _ in self.map_concurrently(one, list(changes)):
            pass
        return outcome
