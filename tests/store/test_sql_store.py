"""What only the SQL store has: migrations, and a `Store` that offers repositories but no engine."""

from __future__ import annotations

from sojourn.store import Store, open_store
from tests.store.events import event


def test_migrations_are_idempotent_and_chain_verifies(database_url: str) -> None:
    store = open_store(database_url)
    for minute in range(5):
        store.audit.append(event(minute))
    store.close()
    again = open_store(database_url)
    report = again.audit.verify()
    again.close()
    assert report.ok and report.checked == 5 and report.problems == ()


def test_the_store_offers_repositories_not_its_engine(database_url: str) -> None:
    store = open_store(database_url)
    store.close()
    public = {name for name in dir(store) if not name.startswith("_")}
    assert public == {
        "audit",
        "runs",
        "grants",
        "tokens",
        "usage",
        "key_rotations",
        "reviews",
        "claims",
        "workers",
        "close",
    }
    assert not any(
        hasattr(repository, "engine")
        for repository in (
            store.audit,
            store.runs,
            store.tokens,
            store.usage,
            store.reviews,
            store.claims,
            store.workers,
        )
    )
    assert not hasattr(store.grants, "engine")
    assert isinstance(store, Store)
