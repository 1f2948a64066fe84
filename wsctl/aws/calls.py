"""What every part of the service object shares: the client, the call counter, overlap, and `_call`.

`_call` and `_pages` are the only ways the service object reaches the client, and they turn
botocore's errors into wsctl's own (`wsctl.aws.errors`) before anything above sees them, as
aws-cli's `Deployer` does: commands and use cases never handle a botocore exception.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from wsctl.aws.ratelimit import TokenBucket
from wsctl.errors import WsctlError

T = TypeVar("T")
R = TypeVar("R")

MAX_IDS_PER_CALL = 25
PAGE_SIZE = 25
DEFAULT_WORKERS = 4
# OperationInProgressException: an earlier change is still being applied; the call is tried
# again after these pauses (seconds).
IN_PROGRESS_CODE = "OperationInProgressException"
IN_PROGRESS_DELAYS = (5.0, 10.0, 20.0, 30.0, 30.0, 30.0)
# Refusals that would fail every call of a run, not just one WorkSpace's: they stop the run.
STOP_EVERYTHING = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "ExpiredTokenException",
        "ExpiredToken",
    }
)
# Error codes that mean "too many requests": nothing was done, trying later may succeed.
THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "ThrottledException",
        "SlowDown",
    }
)


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CallCounter:
    """Counts API calls per operation (logical calls, not retries), thread-safely."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.counts[model.name] += 1

    def summary(self) -> str:
        return ", ".join(f"{n} {op}" for op, n in sorted(self.counts.items())) or "no calls"


class CallTrace:
    """What the attempts of one logical call (botocore retries included) did.

    `maybe_done` is True when an attempt may have done its work without wsctl reading the
    answer: an HTTP 5xx, a connection cut after sending, a read timeout. Throttling and a
    connection that never opened leave it False: the service did nothing then.
    """

    def __init__(self) -> None:
        self.attempts = 0
        self.maybe_done = False


_traces = threading.local()


def _observe_attempt(response: Any = None, caught_exception: BaseException | None = None, **_: Any) -> None:
    """`needs-retry` handler (every attempt, the last one too): notes it in the thread's CallTrace."""
    trace: CallTrace | None = getattr(_traces, "current", None)
    if trace is None:
        return
    trace.attempts += 1
    if caught_exception is not None:
        from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

        if not isinstance(caught_exception, EndpointConnectionError | ConnectTimeoutError):
            trace.maybe_done = True
    elif response is not None and getattr(response[0], "status_code", 0) >= 500:
        trace.maybe_done = True


@contextmanager
def traced(trace: CallTrace) -> Iterator[CallTrace]:
    """Calls made by this thread inside the block report their attempts to `trace`."""
    previous = getattr(_traces, "current", None)
    _traces.current = trace
    try:
        yield trace
    finally:
        _traces.current = previous


def is_transient(error: BaseException) -> bool:
    """True when the call failed for a reason that is no answer from the service about the request.

    Throttling after every retry, an HTTP 5xx, a dropped connection or a timeout: trying again
    later may succeed, and (except for throttling) the work may even have been done. A
    refusal (4xx other than throttling: validation, limits, access) is an answer.
    """
    from botocore import exceptions as bx

    cause = error.__cause__ if isinstance(error, WsctlError) else error
    if isinstance(cause, bx.ClientError):
        status = int(cause.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return status >= 500 or str(cause.response.get("Error", {}).get("Code", "")) in THROTTLING_CODES
    return isinstance(cause, bx.HTTPClientError | bx.ConnectionError)


def is_unreachable(error: BaseException) -> bool:
    """The endpoint could not be reached at all (botocore already gave up after a few attempts)."""
    from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

    return isinstance(error.__cause__, EndpointConnectionError | ConnectTimeoutError)


def error_code(error: BaseException) -> str:
    """The service's error code, or the name of the transport failure."""
    code = str(getattr(error, "code", "") or "")
    if code:
        return code
    return type(error.__cause__ or error).__name__


@contextmanager
def translated() -> Iterator[None]:
    """botocore's exceptions leave as wsctl's: ServiceError (with the AWS code), UsageError, WsctlError."""
    try:
        yield
    except Exception as exc:
        from wsctl.aws.errors import translate_aws_error

        error = translate_aws_error(exc)
        if error is None:
            raise
        raise error from exc


class ServiceBase:
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
        # Set on Ctrl-C: patient lookups stop waiting and give up (see map_concurrently).
        self.stopping = threading.Event()
        client.meta.events.register("before-parameter-build.workspaces", self.calls)
        client.meta.events.register("needs-retry.workspaces", _observe_attempt)

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        """One API call by its Python name (`describe_workspaces`), errors translated."""
        with translated():
            response: dict[str, Any] = getattr(self.client, operation)(**params)
        return response

    def _pages(self, operation: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every page's `key` items, in order, errors translated."""
        with translated():
            for page in self.client.get_paginator(operation).paginate(**params):
                yield from page.get(key, [])

    def _raw_pages(self, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Whole pages (for callers that stop early or read NextToken), errors translated."""
        with translated():
            yield from self.client.get_paginator(operation).paginate(**params)

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
        except KeyboardInterrupt:
            self.stopping.set()  # lookups in flight stop waiting between their retries
            raise
        finally:
            # On Ctrl-C, calls already in flight finish (their results are recorded by the
            # caller's fn); calls not yet started are dropped.
            pool.shutdown(wait=True, cancel_futures=True)
