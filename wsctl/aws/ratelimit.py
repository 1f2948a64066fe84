"""A client-side token bucket shared by every call a wsctl process makes.

AWS documents WorkSpaces API throttling at a steady 2 calls per second with bursts of 5
per account and Region; tools that ignore it get ThrottlingException at 50-150 WorkSpaces.
Pacing ourselves to the same bucket means large batches are never throttled into failure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from wsctl.options import DEFAULT_BURST, DEFAULT_RATE

# A call is let through only when a little more than one token is available, so a request
# that reaches the server a few milliseconds later than its neighbour still finds a token
# in the server's bucket too.
_GUARD_SECONDS = 0.03


class WaitCancelled(KeyboardInterrupt):
    """A call still waiting for its token when `cancelled` is set: it is never sent.

    A KeyboardInterrupt, so nothing reports it as an error: it only ends a worker thread
    that Ctrl-C already stopped waiting for.
    """


class TokenBucket:
    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        burst: int = DEFAULT_BURST,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = float(burst)
        self._stamp = clock()
        self._guard = min(_GUARD_SECONDS * rate, 0.5)
        # Set on Ctrl-C during a --wait: the poll's queued describes give up at once instead
        # of keeping the process alive (and the live view ticking) for their turn.
        self.cancelled = threading.Event()

    def _refill(self, now: float) -> None:
        self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def acquire(self) -> None:
        """Take one token, sleeping until one is available."""
        while True:
            if self.cancelled.is_set():
                raise WaitCancelled
            with self._lock:
                now = self._clock()
                self._refill(now)
                needed = 1.0 + (self._guard if self._tokens < self.burst else 0.0)
                if self._tokens >= needed:
                    self._tokens -= 1.0
                    return
                delay = (needed - self._tokens) / self.rate
            if self._sleep is time.sleep:
                if self.cancelled.wait(delay):  # True once set, even if cleared again meanwhile
                    raise WaitCancelled
            else:
                self._sleep(delay)
