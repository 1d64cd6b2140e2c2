"""NUL characters, which PostgreSQL cannot hold in text, are refused by every store before the driver sees
them: a clear ValueError, the transaction rolled back, the store still usable."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from sojourn.store import Store, open_store
from sojourn.store.audit import AuditEvent
from tests.databases import fresh_database
from tests.store.events import T0
from tests.store.test_reviews_contract import campaign


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with fresh_database(request.param, tmp_path) as url:
        opened = open_store(url)
        try:
            yield opened
        finally:
            opened.close()


@pytest.mark.parametrize("field", ["actor", "reason", "target", "person"])
def test_an_audit_record_with_a_nul_is_refused_and_not_written(store: Store, field: str) -> None:
    values = {"actor": "root", "reason": "r", "target": "t", "person": "alice"} | {field: "a\x00b"}
    event = AuditEvent(T0, values["actor"], "x", values["reason"], values["target"], person=values["person"])
    with pytest.raises(ValueError, match=r"NUL character"):
        store.audit.append(event)
    assert store.audit.count() == 0
    store.audit.append(AuditEvent(T0, "root", "x", "r", "t"))
    assert store.audit.verify().ok and store.audit.count() == 1


def test_a_search_for_text_with_a_nul_is_refused_not_a_driver_error(store: Store) -> None:
    with pytest.raises(ValueError, match="NUL character"):
        store.audit.query(person="al\x00ice")
    assert store.grants.requests(person="bob") == []


def test_a_campaign_with_a_nul_in_an_item_is_refused_and_nothing_is_written(store: Store) -> None:
    started = AuditEvent(T0, "root", "review.start", "r", "t")
    items = campaign().items
    hostile = replace(campaign(), items=(*items[:2], replace(items[2], account_name="a\x00prod")))
    with pytest.raises(ValueError, match="NUL character"):
        store.reviews.add(hostile, started)
    assert store.reviews.campaigns() == [] and store.audit.count() == 0
    store.reviews.add(campaign(), started)
    assert len(store.reviews.get("rv-1").items) == 3
