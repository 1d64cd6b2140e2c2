"""Renew something on a background thread while work runs: claims, effect leases, the worker's name.

Each lease in Sojourn runs out so a killed worker's holdings come free; a live holder whose work outlasts
the lease keeps it by renewing it every third of the lease, and learns from the renewal when it was lost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

log = logging.getLogger("sojourn.worker")


def every_third(lease: timedelta) -> float:
    """Seconds between renewals of a lease: two may fail (the store briefly away) before it lapses."""
    return max(lease.total_seconds() / 3, 0.01)


@contextmanager
def heartbeat(beat: Callable[[], None], every: float, name: str) -> Iterator[None]:
    """Call `beat` every `every` seconds on a daemon thread while the block runs; an error in one beat is
    logged and the next beat tries again."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            try:
                beat()
            except Exception as error:  # the store away for a moment: the lease holds until the next try
                log.warning("%s not renewed this time: %s: %s", name, type(error).__name__, error)

    thread = threading.Thread(target=run, name=f"sojourn-{name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
