"""The store behind the grant repository port: port-level errors, and effect rows of both formats decode."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from sojourn.service.ports.grants import DuplicateRequest, GrantRepository, RequestNotFound
from sojourn.store import Store, open_store
from sojourn.store.tables import grant_effects
from sojourn.workflow.effect_codec import effect_from_json
from sojourn.workflow.effects import Deprovision, Notify, Provision
from sojourn.workflow.opening import open_on_call

T0 = datetime(2026, 11, 24, 9, tzinfo=UTC)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    yield opened
    opened.close()


def on_call(request_id: str = "oc-1"):  # type: ignore[no-untyped-def]
    return open_on_call(
        "prod-daily", "bob", "prod-admin", ("111111111111",), T0, T0 + timedelta(hours=8), request_id
    )


def test_opening_a_stored_id_again_is_a_port_level_duplicate(store: Store) -> None:
    grants: GrantRepository = store.grants
    grants.open(on_call(), T0)
    with pytest.raises(DuplicateRequest, match="oc-1"):
        grants.open(on_call(), T0)
    with pytest.raises(RequestNotFound):
        grants.get("nope")


def test_queued_effects_decode_to_the_effects_the_transition_returned(store: Store) -> None:
    outcome = on_call()
    store.grants.open(outcome, T0)
    claimed = store.grants.claim_effects(T0, "w1", timedelta(minutes=2))
    request = store.grants.get("oc-1")
    decoded = [effect_from_json(c.body) for c in claimed]
    queued = [e for e in outcome.effects if isinstance(e, Provision | Deprovision | Notify)]
    assert decoded == queued and queued
    assert [c.kind for c in claimed] == [c.body["kind"] for c in claimed]
    assert all(effect_from_json(c.body, request=request) == d for c, d in zip(claimed, decoded, strict=True))


def test_an_effect_row_in_the_earlier_format_still_decodes(store: Store) -> None:
    store.grants.open(on_call(), T0)
    before = T0 + timedelta(hours=8)
    legacy = {
        "kind": "deprovision",
        "accounts": ["111111111111"],
        "revoke_sessions_before": before.isoformat(),
    }
    with store._engine.begin() as connection:
        connection.execute(
            insert(grant_effects).values(
                request_id="oc-1",
                kind="deprovision",
                body=json.dumps(legacy),
                created_at=T0,
                next_at=T0,
                attempts=0,
            )
        )
    claimed = [
        c for c in store.grants.claim_effects(T0, "w1", timedelta(minutes=2)) if c.kind == "deprovision"
    ]
    request = store.grants.get("oc-1")
    assert effect_from_json(claimed[0].body, request=request) == Deprovision(
        "oc-1", "bob", "prod-admin", ("111111111111",), before
    )
