"""Pacing driven by AWS's answers: a call rate and a window of outstanding operations that shrink when
AWS throttles and grow back while it does not (additive increase, multiplicative decrease)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class AdaptiveRate:
    """Spaces calls at most `rate` a second; each throttle cuts the rate, each success raises it a little."""

    def __init__(
        self,
        ceiling: float,
        *,
        floor: float = 0.5,
        burst: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.ceiling, self.floor = ceiling, floor
        self.rate = ceiling
        self.burst = burst
        """Seconds of calls that may go at once after a quiet spell (half of AWS's bucket)."""
        self.clock, self.sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Wait for this call's slot; slots are handed out in order, one every 1/rate seconds, with credit
        for at most `burst` seconds of unused slots."""
        with self._lock:
            now = self.clock()
            slot = max(now - self.burst, self._next)
            self._next = slot + 1.0 / self.rate
        if slot > now:
            self.sleep(slot - now)

    def throttled(self) -> None:
        with self._lock:
            self.rate = max(self.floor, self.rate * 0.7)
            self._next = max(self._next, self.clock() + 1.0 / self.rate)

    def succeeded(self) -> None:
        with self._lock:
            self.rate = min(self.ceiling, self.rate + 0.02 * self.ceiling / max(self.rate, 1.0))


class OutstandingWindow:
    """How many asynchronous operations may be in progress at once: at most `ceiling`, halved when AWS
    says too many, grown by one after a window's worth of operations that went through."""

    def __init__(self, ceiling: int) -> None:
        self.ceiling = max(1, ceiling)
        self.limit = self.ceiling
        self.in_use = 0
        self.peak = 0
        self._since_cut = 0
        self._cond = threading.Condition()

    def acquire(self) -> None:
        with self._cond:
            while self.in_use >= self.limit:
                self._cond.wait()
            self.in_use += 1
            self.peak = max(self.peak, self.in_use)

    def release(self) -> None:
        with self._cond:
            self.in_use -= 1
            self._since_cut += 1
            if self._since_cut >= self.limit and self.limit < self.ceiling:
                self.limit += 1
                self._since_cut = 0
            self._cond.notify_all()

    def throttled(self) -> None:
        with self._cond:
            self.limit = max(1, self.limit // 2)
            self._since_cut = 0


THROTTLE_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
)
ASYNC_OPERATIONS = frozenset({"create_account_assignment", "delete_account_assignment"})


class Pacing:
    """What the calls of one provider share: a rate per service and the assignment operations' window."""

    def __init__(self, rates: dict[str, AdaptiveRate], window: OutstandingWindow) -> None:
        self.rates, self.window = rates, window

    def before(self, service: str) -> None:
        rate = self.rates.get(service)
        if rate is not None:
            rate.acquire()

    def answered(self, service: str, operation: str, code: str | None) -> None:
        """`code` is AWS's error code, None when the call went through."""
        rate = self.rates.get(service)
        if code in THROTTLE_CODES:
            if rate is not None:
                rate.throttled()
            if operation in ASYNC_OPERATIONS:
                self.window.throttled()
        elif code is None and rate is not None:
            rate.succeeded()
