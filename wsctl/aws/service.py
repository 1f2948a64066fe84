"""The service layer: the only code that talks to boto3.

It is handed a client (`WorkspacesService(client)`), so tests drive it with botocore's
Stubber and the CLI drives it with a client that points at AWS or at the sandbox; it
never prompts and never prints. Results are plain dicts in the API's own shapes, with
ResponseMetadata removed.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from wsctl.aws.ratelimit import TokenBucket

T = TypeVar("T")
R = TypeVar("R")

MAX_IDS_PER_CALL = 25
PAGE_SIZE = 25
DEFAULT_WORKERS = 4


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def clean(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


class CallCounter:
    """Counts API calls per operation (logical calls, not retries), thread-safely."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.counts[model.name] += 1

    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        return ", ".join(f"{n} {op}" for op, n in sorted(self.counts.items())) or "no calls"


class WorkspacesService:
    def __init__(
        self,
        client: Any,
        *,
        rate_limiter: TokenBucket | None = None,
        max_workers: int = DEFAULT_WORKERS,
    ) -> None:
        self.client = client
        self.rate_limiter = rate_limiter
        self.max_workers = max_workers
        self.calls = CallCounter()
        client.meta.events.register("before-parameter-build.workspaces", self.calls)

    # --- helpers ---------------------------------------------------------------------------

    def map_concurrently(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Apply `fn` to items with overlapping calls (results in completion order).

        Overlap hides the service's latency; the shared token bucket keeps the rate.
        """
        items = list(items)
        if len(items) <= 1 or self.max_workers <= 1:
            yield from (fn(item) for item in items)
            return
        pool = ThreadPoolExecutor(max_workers=min(self.max_workers, len(items)), thread_name_prefix="wsctl")
        try:
            futures = [pool.submit(fn, item) for item in items]
            from concurrent.futures import as_completed

            for future in as_completed(futures):
                yield future.result()
        finally:
            # On Ctrl-C, calls already in flight finish (their results are recorded by the
            # caller's fn); calls not yet started are dropped.
            pool.shutdown(wait=True, cancel_futures=True)

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
        return list(self.iter_workspaces(params, limit=limit))

    def iter_workspaces(self, params: dict[str, Any], *, limit: int | None = None) -> Iterator[dict[str, Any]]:
        paginator = self.client.get_paginator("describe_workspaces")
        config: dict[str, Any] = {"PageSize": PAGE_SIZE}
        if limit:
            config["MaxItems"] = limit
        for page in paginator.paginate(**params, PaginationConfig=config):
            yield from page.get("Workspaces", [])

    def describe_workspaces_by_id(self, workspace_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Descriptions keyed by ID; IDs the service does not return are absent."""
        unique = list(dict.fromkeys(workspace_ids))
        found: dict[str, dict[str, Any]] = {}

        def fetch(chunk: Sequence[str]) -> list[dict[str, Any]]:
            response = self.client.describe_workspaces(WorkspaceIds=list(chunk))
            return list(response.get("Workspaces", []))

        for workspaces in self.map_concurrently(fetch, list(chunked(unique, MAX_IDS_PER_CALL))):
            for ws in workspaces:
                found[ws["WorkspaceId"]] = ws
        return found

    # --- supporting reads ------------------------------------------------------------------

    def describe_directories(self) -> list[dict[str, Any]]:
        paginator = self.client.get_paginator("describe_workspace_directories")
        return [d for page in paginator.paginate() for d in page.get("Directories", [])]

    def describe_bundles(
        self, *, owner: str | None = None, bundle_ids: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        if bundle_ids:
            out: list[dict[str, Any]] = []
            for chunk in chunked(list(bundle_ids), MAX_IDS_PER_CALL):
                out += self.client.describe_workspace_bundles(BundleIds=list(chunk)).get("Bundles", [])
            return out
        paginator = self.client.get_paginator("describe_workspace_bundles")
        params = {"Owner": owner} if owner else {}
        return [b for page in paginator.paginate(**params) for b in page.get("Bundles", [])]

    def owned_images(self) -> list[dict[str, Any]]:
        """The account's own WorkSpaces images, every page."""
        paginator = self.client.get_paginator("describe_workspace_images")
        return [i for page in paginator.paginate(ImageType="OWNED") for i in page.get("Images", [])]

    def describe_images(self, image_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunked(list(dict.fromkeys(image_ids)), MAX_IDS_PER_CALL):
            response = self.client.describe_workspace_images(ImageIds=list(chunk))
            for image in response.get("Images", []):
                found[image["ImageId"]] = image
        return found
