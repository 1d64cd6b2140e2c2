"""The in-memory twin of the hygiene source: accounts' credential facts given up front (tests, the demo)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sojourn.analysis.hygiene_facts import AccountHygiene


@dataclass(frozen=True, slots=True)
class MemoryHygieneSource:
    """Implements the HygieneSource port with fixed facts; same shape of answer as Boto3HygieneSource."""

    accounts: tuple[AccountHygiene, ...] = ()
    notes: tuple[str, ...] = ()

    def read_accounts(
        self, progress: Callable[[str, int, int], None] | None = None
    ) -> tuple[tuple[AccountHygiene, ...], tuple[str, ...]]:
        for done, account in enumerate(self.accounts, start=1):
            if progress:
                progress(account.name, done, len(self.accounts))
        return self.accounts, self.notes
