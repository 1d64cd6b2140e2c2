"""Eight threads over two stores on the same data, started at one barrier: how many of them won."""

from __future__ import annotations

import threading
from collections.abc import Callable

RACERS = 8


def winners_of_a_race(attempt: Callable[[int], bool]) -> int:
    """Run `attempt(n)` for n in 0..7 at once (n % 2 picks the store); the count of True answers."""
    start = threading.Barrier(RACERS)
    won: list[int] = []

    def race(n: int) -> None:
        start.wait()
        if attempt(n):
            won.append(n)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(won)
