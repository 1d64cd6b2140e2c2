"""Collaborators of the just-in-time use cases, over ports: the directory (configuration + organisation),
standing access, the session revoker and the on-call source; the composition root (bootstrap/) assembles
them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sojourn.access.compiler import compile_access
from sojourn.access.config import AccessConfig
from sojourn.access.organization import Organization
from sojourn.clock import Clock
from sojourn.service.config_files import read_config_sources
from sojourn.service.jit import Directory
from sojourn.service.oncall import on_call_grants
from sojourn.service.planning import load_config
from sojourn.service.ports.provider import Provider
from sojourn.service.ports.schedule import OnCallGrant, OnCallSource, ScheduleFeed

DIRECTORY_TTL_SECONDS = 60.0


@dataclass
class CachedDirectory:
    """The configuration re-read from disk, the organisation from the provider, at most once a minute."""

    config_path: Path
    provider: Provider
    ttl: float = DIRECTORY_TTL_SECONDS
    _found: Directory | None = None
    _at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self) -> Directory:
        with self._lock:
            if self._found is None or time.monotonic() - self._at > self.ttl:
                config = load_config(read_config_sources(self.config_path))
                self._found = Directory(config, self.provider.read_organization(with_tags=True))
                self._at = time.monotonic()
            return self._found


def account_names_of(directory: Callable[[], Directory]) -> Callable[[], dict[str, str]]:
    """Account id -> name from the directory's organisation; none when it cannot be read just now
    (a notification is still sent, its accounts shown by id)."""

    def names() -> dict[str, str]:
        try:
            return {a.id: a.name for a in directory().organization.accounts}
        except Exception:  # AWS or the configuration unreadable: ids alone
            return {}

    return names


def standing_access(
    config: AccessConfig, organization: Organization, today: date
) -> dict[str, set[tuple[str, str]]]:
    """person -> (account id, permission set) that standing rules give them today (directly or by group)."""
    effective = compile_access(config, organization, today=today).effective
    return {
        person: {(account, ps) for account, sets in accounts.items() for ps in sets}
        for person, accounts in effective.items()
    }


def standing_lookup(
    directory: Callable[[], Directory], today: Callable[[], date]
) -> Callable[[str], set[tuple[str, str]]]:
    def lookup(person: str) -> set[tuple[str, str]]:
        found = directory()
        return standing_access(found.config, found.organization, today()).get(person, set())

    return lookup


def session_revoker(
    provider: Provider, clock: Clock
) -> Callable[[str, list[tuple[str, datetime]], datetime], None]:
    """End live sessions of a permission set for these people, issued before their revocation times."""

    def revoke(permission_set: str, people: list[tuple[str, datetime]], now: datetime) -> None:
        provider.revoke_sessions(permission_set, people, now)

    return revoke


def on_call_source(
    directory: Callable[[], Directory], feeds: ScheduleFeed = lambda url: None
) -> OnCallSource:
    """Who is on call at a time, from rotations and (given a feed) iCalendar schedules."""

    def current(now: datetime) -> list[OnCallGrant]:
        found = directory()
        return on_call_grants(found.config, found.organization, now, feeds)

    return current
