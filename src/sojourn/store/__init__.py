"""Storage adapter: the repositories (audit log, apply runs, grants, assignment claims, worker names, API
tokens, usage) over one SQL database.

Nothing above the store sees its SQL engine: it gets a `Store` of repositories that implement the ports
in `service/ports/`, and closes it. `store.memory` holds in-memory twins of the same repositories.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from sojourn.store.audit import AuditLog
from sojourn.store.claims import AssignmentClaimStore
from sojourn.store.engine import create_store_engine, migrate
from sojourn.store.grants import GrantStore
from sojourn.store.key_rotations import KeyRotationStore
from sojourn.store.reviews import ReviewStore
from sojourn.store.runs import RunLog
from sojourn.store.tokens import TokenStore
from sojourn.store.usage import UsageStore
from sojourn.store.workers import WorkerRegistryStore

__all__ = ["Store", "open_store"]


@dataclass(frozen=True, slots=True)
class Store:
    """One database's repositories; `close` lets go of its connections."""

    audit: AuditLog
    runs: RunLog
    grants: GrantStore
    tokens: TokenStore
    usage: UsageStore
    reviews: ReviewStore
    _engine: Engine = field(repr=False)
    key_rotations: KeyRotationStore = field(init=False, repr=False)
    claims: AssignmentClaimStore = field(init=False, repr=False)
    workers: WorkerRegistryStore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_rotations", KeyRotationStore(self._engine))
        object.__setattr__(self, "claims", AssignmentClaimStore(self._engine))
        object.__setattr__(self, "workers", WorkerRegistryStore(self._engine))

    def close(self) -> None:
        """Close every pooled connection; the repositories must not be used afterwards."""
        self._engine.dispose()


def open_store(url: str, *, upgrade: bool = True) -> Store:
    """Connect and (by default) migrate to the newest schema."""
    engine = create_store_engine(url)
    if upgrade:
        migrate(engine)
    return Store(
        AuditLog(engine),
        RunLog(engine),
        GrantStore(engine),
        TokenStore(engine),
        UsageStore(engine),
        ReviewStore(engine),
        engine,
    )
