"""Deliver each notification to every channel, retrying each on its own; `deliver` never raises and
`deliver_later` never waits, so a notification can neither fail nor delay a revocation."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sojourn.notify.events import Notification
from sojourn.notify.http_post import DeliveryError

log = logging.getLogger("sojourn.notify")

MAX_ERROR_TEXT = 500


class Channel(Protocol):
    """Somewhere a notification goes; `send` raises on failure (DeliveryError(permanent=True): no retry)."""

    @property
    def name(self) -> str: ...

    def send(self, n: Notification) -> None: ...


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    channel: str
    delivered: bool
    attempts: int
    error: str | None = None
    """The last failure, as "<exception type>: <message>"; channels keep secrets out of it."""


def _describe(failure: Exception) -> str:
    text = f"{type(failure).__name__}: {failure}"
    return text if len(text) <= MAX_ERROR_TEXT else text[: MAX_ERROR_TEXT - 1] + "…"


class Dispatcher:
    """Fans a notification out to channels; `attempts` per channel, sleeping `backoff[i]` after failure i."""

    def __init__(
        self,
        channels: Sequence[Channel],
        attempts: int = 4,
        backoff: Sequence[float] = (0.5, 2, 8),
        sleep: Callable[[float], None] = time.sleep,
        *,
        queue_size: int = 1000,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.channels, self.attempts, self.backoff, self.sleep = (
            tuple(channels),
            attempts,
            tuple(backoff),
            sleep,
        )
        self._queue: queue.Queue[Notification | None] = queue.Queue(maxsize=queue_size)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    def deliver(self, n: Notification) -> list[DeliveryResult]:
        """Try every channel now, in order; one result per channel, never an exception."""
        return [self._deliver_one(channel, n) for channel in self.channels]

    def _pause(self, failures: int) -> float:
        return float(self.backoff[min(failures - 1, len(self.backoff) - 1)]) if self.backoff else 0.0

    def _deliver_one(self, channel: Channel, n: Notification) -> DeliveryResult:
        error = ""
        attempt = 0
        while attempt < self.attempts:
            attempt += 1
            try:
                channel.send(n)
            except Exception as failure:  # any channel failure is retried, then reported, never raised
                error = _describe(failure)
                if isinstance(failure, DeliveryError) and failure.permanent:
                    break
                if attempt < self.attempts:
                    log.info(
                        "%s: %s %s attempt %d failed: %s", channel.name, n.kind, n.request_id, attempt, error
                    )
                    self.sleep(self._pause(attempt))
            else:
                log.debug("%s: %s %s delivered (attempt %d)", channel.name, n.kind, n.request_id, attempt)
                return DeliveryResult(channel.name, True, attempt)
        log.error(
            "%s: %s %s not delivered after %d attempt(s): %s",
            channel.name,
            n.kind,
            n.request_id,
            attempt,
            error,
        )
        return DeliveryResult(channel.name, False, attempt, error)

    def deliver_later(self, n: Notification) -> bool:
        """Queue for the background thread and return at once; False (and logged) if full or closed."""
        with self._lock:
            if self._closed:
                log.error("dispatcher closed; %s %s dropped", n.kind, n.request_id)
                return False
            if self._thread is None:
                self._thread = threading.Thread(target=self._drain, name="sojourn-notify", daemon=True)
                self._thread.start()
            try:
                self._queue.put_nowait(n)
            except queue.Full:
                log.error("notification queue full; %s %s dropped", n.kind, n.request_id)
                return False
        return True

    def _drain(self) -> None:
        while (n := self._queue.get()) is not None:
            try:
                self.deliver(n)
            except Exception:  # deliver does not raise; this only keeps the thread alive if logging does
                log.exception("delivering %s %s", n.kind, n.request_id)

    def close(self, timeout: float = 10.0) -> bool:
        """Stop taking work and deliver what is queued; True if it all went out within `timeout` seconds."""
        with self._lock:
            first, self._closed = not self._closed, True
            thread = self._thread
        if thread is None:
            return True
        deadline = time.monotonic() + timeout
        if first:
            try:
                self._queue.put(None, timeout=timeout)
            except queue.Full:
                return False
        thread.join(max(0.0, deadline - time.monotonic()))
        return not thread.is_alive()
