"""The hygiene port: credential facts of every account (credential report, keys, MFA, roles, passwords)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sojourn.access.state import AccessState
from sojourn.analysis.hygiene_facts import AccountHygiene

__all__ = ["AccessState", "AccountHygiene", "AssignmentsReader", "AssignmentsUnavailable", "HygieneSource"]


class HygieneSource(Protocol):
    """Reads each account's credential facts; accounts it cannot read are named in the notes, not fatal."""

    def read_accounts(
        self, progress: Callable[[str, int, int], None] | None = None
    ) -> tuple[tuple[AccountHygiene, ...], tuple[str, ...]]:
        """(the facts of each account read, notes on what was left out)."""
        ...


class AssignmentsUnavailable(Exception):
    """Identity Center's assignments could not be read (no instance, no access); the message says why."""


AssignmentsReader = Callable[[], AccessState]
"""Identity Center's observed state (users, groups, assignments); raises AssignmentsUnavailable."""
