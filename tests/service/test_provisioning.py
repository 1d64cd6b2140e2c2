"""The worker's provisioning use cases against the in-memory twin: a shift's grant is opened once,
provisioned, ended on time with its sessions denied; an effect row that is not an effect is kept, reported."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from sojourn.access.organization import Account, Organization
from sojourn.access.state import Assignment, PermissionSetSpec, PrincipalType, UserSpec
from sojourn.aws.memory import InMemoryIdentityCenter
from sojourn.clock import FixedClock
from sojourn.service.jit_runtime import session_revoker
from sojourn.service.ports.schedule import OnCallGrant
from sojourn.store import Store, open_store
from sojourn.store.tables import grant_effects
from sojourn.worker.runner import Worker
from sojourn.workflow.grant_request import State

T0 = datetime(2026, 11, 24, 9, tzinfo=UTC)
PROD = "111111111111"
SHIFT = OnCallGrant("oc-1", "prod-daily", "bob", "prod-admin", (PROD,), T0, T0 + timedelta(hours=8))


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    yield opened
    opened.close()


@pytest.fixture
def cloud() -> InMemoryIdentityCenter:
    twin = InMemoryIdentityCenter(Organization((Account(PROD, "prod", "/prod"),)))
    twin.permission_sets["prod-admin"] = PermissionSetSpec("prod-admin")
    twin.users["bob"] = UserSpec("bob", "Bob")
    return twin


def worker(store: Store, cloud: InMemoryIdentityCenter, clock: FixedClock, owner: str = "w1") -> Worker:
    return Worker(
        store.grants,
        cloud,
        clock,
        owner=owner,
        revoke_sessions=session_revoker(cloud, clock),
        on_call=lambda now: [SHIFT] if SHIFT.start <= now < SHIFT.end else [],
    )


def test_an_on_call_shift_is_opened_once_provisioned_and_ended_on_time(
    store: Store, cloud: InMemoryIdentityCenter
) -> None:
    clock = FixedClock(T0)
    held = Assignment(PROD, "prod-admin", PrincipalType.USER, "bob")
    first, second = worker(store, cloud, clock), worker(store, cloud, clock, "w2")
    assert first.tick().provisioned == 1 and second.tick().provisioned == 0
    assert held in cloud.assignments and store.grants.get("oc-1").state is State.ACTIVE
    clock.advance(hours=8, seconds=1)
    assert first.tick().deprovisioned == 1
    assert held not in cloud.assignments
    assert cloud.revoked_sessions[("prod-admin", "bob")] <= clock.now()
    assert [r.id for r in store.grants.requests(person="bob")] == ["oc-1"]


def test_an_effect_row_that_is_not_an_effect_is_kept_reported_and_does_not_stop_the_tick(
    store: Store, cloud: InMemoryIdentityCenter
) -> None:
    clock = FixedClock(T0)
    runner = worker(store, cloud, clock)
    runner.tick()
    with store._engine.begin() as connection:
        connection.execute(
            insert(grant_effects).values(
                request_id="oc-1",
                kind="provision",
                body=json.dumps({"kind": "provision", "accounts": PROD}),
                created_at=T0,
                next_at=T0,
                attempts=0,
            )
        )
    report = runner.tick()
    assert report.failed == 1
    with store._engine.connect() as connection:
        row = connection.execute(select(grant_effects).where(grant_effects.c.done_at.is_(None))).one()
    assert "accounts: expected a list of strings, got str" in row.last_error
    assert row.next_at.replace(tzinfo=UTC) >= T0 + timedelta(seconds=60)
