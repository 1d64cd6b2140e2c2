"""Keep the worker running inside `sojourn serve`, and say when it is not.

The worker's loop outlives every error it can turn into a retry (worker/runner.py), but its thread may
still end: it could not be built (the cloud unreachable at start), or something no `except Exception`
catches. The supervisor starts it again after a growing pause, and `WorkerPulse` tells the health check
whether the worker made progress recently, so a load balancer sees 503 while it does not.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sojourn.service.provisioning import describe

log = logging.getLogger("sojourn.worker")
RESTART_PAUSES = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
STALE_TICKS = 5
"""The worker is unhealthy once it made no progress for this many tick intervals (at least `stale_after`)."""


class WorkerPulse:
    """When the worker last made progress, and what stopped it last; thread-safe."""

    def __init__(self, stale_after: float, now: Callable[[], float] = time.monotonic) -> None:
        self.stale_after = stale_after
        self._now = now
        self._started = now()
        self._beat: float | None = None
        self._lock = threading.Lock()
        self.last_error: str | None = None
        self.restarts = 0

    def beat(self) -> None:
        with self._lock:
            self._beat = self._now()

    def problem(self) -> str | None:
        """None while the worker made progress within `stale_after` seconds; else what is wrong."""
        with self._lock:
            since = self._beat if self._beat is not None else self._started
            quiet = self._now() - since
            if quiet <= self.stale_after:
                return None
            what = "has not ticked yet" if self._beat is None else "has not ticked"
            found = f"the worker {what} for {quiet:.0f}s (expected every {self.stale_after:.0f}s at most)"
            if self.restarts:
                found += f"; restarted {self.restarts} times"
            if self.last_error:
                found += f"; last error: {self.last_error}"
            return found


class Supervisor:
    """Runs `work(stop)` on a daemon thread and starts it again whenever it ends before `stop` is set."""

    def __init__(
        self,
        work: Callable[[threading.Event], None],
        pulse: WorkerPulse,
        pauses: tuple[float, ...] = RESTART_PAUSES,
    ) -> None:
        self.work, self.pulse, self.pauses = work, pulse, pauses
        self.stop_event = threading.Event()
        self._watcher: threading.Thread | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> Supervisor:
        self._watcher = threading.Thread(target=self._watch, name="sojourn-supervisor", daemon=True)
        self._watcher.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self.stop_event.set()
        if self._watcher is not None:
            self._watcher.join(timeout)

    def _watch(self) -> None:
        failures = 0
        while not self.stop_event.is_set():
            self.thread = threading.Thread(target=self._run, name="sojourn-worker", daemon=True)
            started = time.monotonic()
            self.thread.start()
            self.thread.join()
            if self.stop_event.is_set():
                return
            failures = 0 if time.monotonic() - started > self.pauses[-1] else failures + 1
            pause = self.pauses[min(failures, len(self.pauses)) - 1] if failures else self.pauses[0]
            self.pulse.restarts += 1
            log.error(
                "the worker thread stopped (%s); starting it again in %.1fs",
                self.pulse.last_error or "no error",
                pause,
            )
            self.stop_event.wait(pause)

    def _run(self) -> None:
        try:
            self.work(self.stop_event)
        except BaseException as error:  # whatever ended the thread is reported, then it is restarted
            self.pulse.last_error = describe(error)
            log.error("the worker thread ended: %s", self.pulse.last_error)
