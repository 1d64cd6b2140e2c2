"""Wiring for just-in-time access: the directory (configuration + organisation), standing access, and the
worker's and service's collaborators, built from the same settings for the CLI, the API and the worker."""

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
from sojourn.aws.gateway import Boto3IdentityCenter
from sojourn.clock import Clock
from sojourn.notify.dispatcher import Dispatcher
from sojourn.notify.message import from_request
from sojourn.service.config_files import read_config_sources
from sojourn.service.jit import Directory
from sojourn.service.oncall import FeedCache, OnCallGrant, on_call_grants
from sojourn.service.planning import load_config
from sojourn.service.ports.provider import IdentityCenterGateway
from sojourn.workflow.grant_request import GrantRequest

DIRECTORY_TTL_SECONDS = 60.0


@dataclass
class CachedDirectory:
    """The configuration re-read from disk and the organisation re-read from AWS at most once a minute."""

    config_path: Path
    gateway: IdentityCenterGateway
    ttl: float = DIRECTORY_TTL_SECONDS
    _found: Directory | None = None
    _at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self) -> Directory:
        with self._lock:
            if self._found is None or time.monotonic() - self._at > self.ttl:
                config = load_config(read_config_sources(self.config_path))
                self._found = Directory(config, self.gateway.read_organization(with_tags=True))
                self._at = time.monotonic()
            return self._found


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
    gateway: Boto3IdentityCenter, clock: Clock
) -> Callable[[str, list[tuple[str, datetime]], datetime], None]:
    """End live sessions of a permission set for these people, issued before their revocation times."""

    def revoke(permission_set: str, people: list[tuple[str, datetime]], now: datetime) -> None:
        gateway.revoke_sessions(permission_set, people, now)

    return revoke


def on_call_source(
    directory: Callable[[], Directory], feeds: FeedCache | None = None
) -> Callable[[datetime], list[OnCallGrant]]:
    cache = feeds or FeedCache()

    def current(now: datetime) -> list[OnCallGrant]:
        found = directory()
        return on_call_grants(found.config, found.organization, now, cache)

    return current


def notifier(dispatcher: Dispatcher) -> Callable[[str, GrantRequest, tuple[str, ...]], None]:
    """Hand each event to the dispatcher's background queue: a notification never delays a revocation."""

    def notify(kind: str, request: GrantRequest, to: tuple[str, ...]) -> None:
        dispatcher.deliver_later(from_request(kind, request, to))

    return notify
