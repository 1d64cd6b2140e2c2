"""The plan-store port, on the twin, SQLite and PostgreSQL: a plan starts from the state the last good
apply left on its instance, and keeps the just-in-time grants that are approved or active."""

from __future__ import annotations

from datetime import timedelta

from sojourn.access.state import AccessState, Assignment, PermissionSetSpec, PrincipalType, UserSpec
from sojourn.access.state_codec import state_to_json
from sojourn.service.planning import previous_state, with_live_grants
from sojourn.service.ports.plan_store import PlanStore
from sojourn.workflow.transitions import Approve, transition
from tests.store.conftest import Backend
from tests.store.events import T0, event
from tests.store.test_grants_contract import opened

DESIRED = AccessState(
    permission_sets={"prod-admin": PermissionSetSpec("prod-admin")},
    users={"alice": UserSpec("alice", "Alice"), "dave": UserSpec("dave", "Dave")},
    assignments=frozenset({Assignment("333333333333", "prod-admin", PrincipalType.USER, "dave")}),
)


def test_the_previous_state_is_what_the_last_good_apply_on_that_instance_left(backend: Backend) -> None:
    store: PlanStore = backend.store
    assert previous_state(store, "prod") is None
    run_id = store.runs.start(
        at=T0, actor="admin", reason="CHG-1", base_fingerprint="f", planned=[], start_event=event(0)
    )
    store.runs.finish(
        run_id, at=T0, status="succeeded", event=event(1), applied_state=("prod", state_to_json(DESIRED))
    )
    assert previous_state(store, "prod") == DESIRED
    assert previous_state(store, "staging") is None
    assert previous_state(None, "prod") is None


def test_a_plan_keeps_approved_grants_and_not_pending_ones(backend: Backend) -> None:
    store: PlanStore = backend.store
    opened(backend, "r1", "alice")
    assert with_live_grants(DESIRED, store) == DESIRED  # pending: not access yet
    at = T0 + timedelta(minutes=1)
    store.grants.change("r1", lambda r: transition(r, Approve("bob", "ok"), at), at)
    kept = with_live_grants(DESIRED, store).assignments - DESIRED.assignments
    assert kept == {
        Assignment("111111111111", "prod-admin", PrincipalType.USER, "alice"),
        Assignment("222222222222", "prod-admin", PrincipalType.USER, "alice"),
    }
