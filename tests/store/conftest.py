"""The store contract's backends: the in-memory twin, SQLite and PostgreSQL, each with a way to tamper.

Every contract test takes `backend` and so runs three times; tampering goes behind the repositories'
backs (SQL on a separate connection, or the twin's lists) as an attacker with database access would.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import pytest
from sqlalchemy import Engine, text

from sojourn.access.audit import GENESIS
from sojourn.store import Store, open_store
from sojourn.store.engine import create_store_engine
from sojourn.store.memory import MemoryAuditLog, MemoryStore, open_memory_store
from tests.databases import fresh_database


class Tamper(Protocol):
    def set_reason(self, seq: int, reason: str) -> None: ...

    def delete(self, seq: int) -> None: ...

    def swap(self, first: int, second: int) -> None: ...

    def point_head_at(self, seq: int) -> None: ...

    def wipe(self) -> None: ...


class SqlTamper:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def set_reason(self, seq: int, reason: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                text("UPDATE audit_records SET reason = :reason WHERE seq = :seq"),
                {"reason": reason, "seq": seq},
            )

    def delete(self, seq: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_records WHERE seq = :seq"), {"seq": seq})

    def swap(self, first: int, second: int) -> None:
        with self.engine.begin() as connection:
            for old, new in ((first, -1), (second, first), (-1, second)):
                connection.execute(
                    text("UPDATE audit_records SET seq = :new WHERE seq = :old"), {"new": new, "old": old}
                )

    def point_head_at(self, seq: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE audit_chain_head SET seq = :seq, "
                    "hash = (SELECT hash FROM audit_records WHERE seq = :seq)"
                ),
                {"seq": seq},
            )

    def wipe(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_records"))
            connection.execute(
                text("UPDATE audit_chain_head SET seq = 0, hash = :genesis"), {"genesis": GENESIS}
            )


class MemoryTamper:
    def __init__(self, audit: MemoryAuditLog) -> None:
        self.audit = audit

    def set_reason(self, seq: int, reason: str) -> None:
        self.audit.records = [
            replace(r, event=replace(r.event, reason=reason)) if r.seq == seq else r
            for r in self.audit.records
        ]

    def delete(self, seq: int) -> None:
        self.audit.records = [r for r in self.audit.records if r.seq != seq]

    def swap(self, first: int, second: int) -> None:
        moved = {first: second, second: first}
        self.audit.records = [replace(r, seq=moved.get(r.seq, r.seq)) for r in self.audit.records]

    def point_head_at(self, seq: int) -> None:
        self.audit.head = next((r.seq, r.hash) for r in self.audit.records if r.seq == seq)

    def wipe(self) -> None:
        self.audit.records, self.audit.head = [], (0, GENESIS)


@dataclass
class Backend:
    kind: str
    store: Store | MemoryStore
    tamper: Tamper
    url: str | None = None
    """The database URL (None for the twin), for tests that open a second store on the same data."""

    def reopen(self) -> Store | MemoryStore:
        """A second store on the same data (the twin: the same store, as one process shares it)."""
        return self.store if self.url is None else open_store(self.url)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """The same repositories three ways: the in-memory twin, a SQLite file, a PostgreSQL database."""
    if request.param == "memory":
        twin = open_memory_store()
        yield Backend("memory", twin, MemoryTamper(twin.audit))
        return
    with fresh_database(request.param, tmp_path) as url:
        store = open_store(url)
        engine = create_store_engine(url)
        try:
            yield Backend(request.param, store, SqlTamper(engine), url)
        finally:
            engine.dispose()
            store.close()
