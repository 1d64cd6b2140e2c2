"""The organisation as plain values: accounts with their OU path and tags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str
    ou_path: str
    """Slash-separated OU names from the root, e.g. "/workloads/prod"; "/" for the root itself."""
    tags: Mapping[str, str] = field(default_factory=dict)
    status: str = "ACTIVE"


@dataclass(frozen=True, slots=True)
class Organization:
    accounts: tuple[Account, ...]

    def by_id(self) -> dict[str, Account]:
        return {a.id: a for a in self.accounts}

    def by_name(self) -> dict[str, Account]:
        return {a.name: a for a in self.accounts}
