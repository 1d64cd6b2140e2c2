"""Storage adapter: SQLAlchemy engine and migrations, the hash-chained audit log, apply runs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from sojourn.store.audit import AuditLog
from sojourn.store.engine import create_store_engine, migrate
from sojourn.store.grants import GrantStore
from sojourn.store.runs import RunLog
from sojourn.store.tokens import TokenStore


@dataclass
class Store:
    engine: Engine
    audit: AuditLog
    runs: RunLog
    grants: GrantStore
    tokens: TokenStore

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str, *, upgrade: bool = True) -> Store:
    """Connect and (by default) migrate to the newest schema."""
    engine = create_store_engine(url)
    if upgrade:
        migrate(engine)
    return Store(engine, AuditLog(engine), RunLog(engine), GrantStore(engine), TokenStore(engine))
