"""The --wait engine: polls WorkSpaces (or images) until each one settles.

Pure logic: the clock, the sleep and the fetch function are injected, nothing is printed
(changes are reported to a callback), so every path is tested in milliseconds. One engine
serves every command; what "settled" means per operation is a `WaitSpec` (wsctl.spec.waits).

Cost: each round asks only for the items not yet settled; the fetch function is the
service's chunked describe (25 IDs a call) behind the shared client-side rate limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from wsctl.spec.waits import Change, Description, Item, Round, Status, WaitResult, WaitSpec


@dataclass(frozen=True)
class Backoff:
    """Poll intervals that start short and grow: first, first*factor, ... capped at maximum."""

    first: float = 2.0
    factor: float = 1.5
    maximum: float = 30.0

    def intervals(self) -> Iterable[float]:
        interval = self.first
        while True:
            yield interval
            interval = min(self.maximum, interval * self.factor)


Fetch = Callable[[Sequence[str]], Mapping[str, Description]]


class Waiter:
    """Polls until every item settles, the timeout passes, or the caller is interrupted.

    The items list is live: after a KeyboardInterrupt the caller still sees each item's
    last known state.
    """

    def __init__(
        self,
        items: Sequence[Item],
        fetch: Fetch,
        spec: WaitSpec,
        *,
        timeout: float,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        on_change: Callable[[Change], None] | None = None,
        on_round: Callable[[WaitResult], None] | None = None,
    ) -> None:
        self.result = WaitResult(list(items))
        self.fetch = fetch
        self.spec = spec
        self.timeout = timeout
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.sleep = sleep
        self.on_change = on_change
        self.on_round = on_round

    def seed(self, descriptions: Mapping[str, Description]) -> None:
        """Judge items from descriptions the caller already has (no call made)."""
        self._judge(descriptions, 0.0, only_known=True)

    def run(self) -> WaitResult:
        """Poll until done; a KeyboardInterrupt ends the wait with `interrupted` set."""
        start = self.clock()
        try:
            return self._run(start)
        except KeyboardInterrupt:
            self.result.interrupted = True
            self.result.elapsed = self.clock() - start
            return self.result

    def _run(self, start: float) -> WaitResult:
        intervals = iter(self.backoff.intervals())
        result = self.result
        while result.pending:
            elapsed = self.clock() - start
            remaining = self.timeout - elapsed
            if remaining <= 0:
                result.timed_out = True
                break
            self.sleep(min(next(intervals), remaining))
            elapsed = self.clock() - start
            pending = result.pending
            result.rounds.append(Round(len(pending), elapsed))
            found = self.fetch([i.id for i in pending])
            self._judge(found, elapsed)
            result.elapsed = elapsed
            if self.on_round:
                self.on_round(result)
        result.elapsed = self.clock() - start
        return result

    def _judge(self, found: Mapping[str, Description], elapsed: float, *, only_known: bool = False) -> None:
        for item in self.result.pending:
            description = found.get(item.id)
            if description is None and only_known:
                continue
            verdict = self.spec.judge(item, description, elapsed)
            old = item.state
            if description is not None:
                item.seen = True
                item.description = description
            item.state, item.status, item.reason = verdict.state, verdict.status, verdict.reason
            if self.on_change and (old != item.state or item.status is not Status.PENDING):
                self.on_change(Change(item, old, item.state, elapsed))
