"""The grants repository contract, on the twin, SQLite and PostgreSQL: a transition, its audit records and
its effects are stored together or not at all; effects are leased to one worker at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from sojourn.store.grants import DuplicateRequest, RequestNotFound
from sojourn.workflow.grant_request import State
from sojourn.workflow.opening import Ask, Eligibility, Terms, open_request
from sojourn.workflow.transitions import Approve, IllegalTransition, Provisioned, Tick, transition
from tests.store.conftest import Backend
from tests.store.events import T0

RULE = Eligibility(
    Terms("prod-admin-for-team-a", "prod-admin", timedelta(hours=4)),
    frozenset({"111111111111", "222222222222"}),
    frozenset({"bob", "carol"}),
)
ASK = Ask("alice", "prod-admin", ("111111111111", "222222222222"), timedelta(hours=2), "INC-1 failover")
LEASE = timedelta(minutes=5)


def opened(backend: Backend, request_id: str = "r1", person: str = "alice") -> None:
    backend.store.grants.open(open_request(replace(ASK, person=person), RULE, request_id, T0), T0)


def approve(backend: Backend, request_id: str = "r1") -> None:
    at = T0 + timedelta(minutes=1)
    backend.store.grants.change(request_id, lambda r: transition(r, Approve("bob", "ok"), at), at)


def test_open_stores_the_request_its_audit_record_and_its_effects(backend: Backend) -> None:
    grants = backend.store.grants
    opened(backend)
    assert grants.exists("r1") and not grants.exists("r2")
    request = grants.get("r1")
    assert request.state is State.PENDING and request.person == "alice"
    assert request == open_request(ASK, RULE, "r1", T0).request
    (record,) = backend.store.audit.query()
    assert (record.event.action, record.event.person, record.event.target) == (
        "jit.request",
        "alice",
        "request:r1",
    )
    assert grants.pending_effects() == 1  # the approvers' notification
    with pytest.raises(DuplicateRequest):
        opened(backend)
    assert backend.store.audit.count() == 1 and grants.pending_effects() == 1
    with pytest.raises(RequestNotFound):
        grants.get("r2")


def test_a_transition_that_raises_changes_nothing(backend: Backend) -> None:
    grants = backend.store.grants
    opened(backend)
    with pytest.raises(IllegalTransition):
        grants.change("r1", lambda r: transition(r, Approve("alice", "me"), T0), T0)
    assert grants.get("r1").state is State.PENDING
    assert backend.store.audit.count() == 1
    with pytest.raises(RequestNotFound):
        grants.change("nope", lambda r: transition(r, Tick(), T0), T0)


def test_approval_is_audited_per_account_with_the_effects_queued(backend: Backend) -> None:
    grants = backend.store.grants
    opened(backend)
    approve(backend)
    assert grants.get("r1").state is State.APPROVED
    assert [r.event.action for r in backend.store.audit.query()] == ["jit.request", "jit.approve"]
    assert grants.pending_effects() == 4  # request notice, provision, approved and other-approver notices
    assert [r.id for r in grants.requests(states=(State.APPROVED,))] == ["r1"]
    assert grants.requests(person="bob") == []
    assert backend.store.audit.verify().ok


def test_effects_are_leased_to_one_owner_until_the_lease_runs_out(backend: Backend) -> None:
    grants = backend.store.grants
    opened(backend)
    approve(backend)
    now = T0 + timedelta(minutes=2)
    mine = grants.claim_effects(now, "w1", LEASE)
    assert sorted(e.kind for e in mine) == ["notify", "notify", "notify", "provision"]
    assert all(e.request_id == "r1" and e.attempts == 0 for e in mine)
    assert grants.claim_effects(now, "w2", LEASE) == []
    assert len(grants.claim_effects(now, "w1", LEASE)) == 4  # our own lease, e.g. after a restart
    assert len(grants.claim_effects(now + LEASE + timedelta(seconds=1), "w2", LEASE)) == 4
    assert grants.claim_effects(now, "w1", LEASE, limit=1) == []


def test_renewed_effect_leases_outlast_the_first_and_a_lost_one_is_told(backend: Backend) -> None:
    grants = backend.store.grants
    opened(backend)
    approve(backend)
    now = T0 + timedelta(minutes=2)
    mine = grants.claim_effects(now, "w1", LEASE)
    ids = {e.id for e in mine}
    later = now + LEASE - timedelta(seconds=1)
    assert grants.renew_effects(ids, "w1", later, LEASE) == ids
    assert grants.claim_effects(now + LEASE + timedelta(seconds=1), "w2", LEASE) == []  # still w1's
    assert grants.renew_effects(ids, "w2", later, LEASE) == set()  # renewing never takes a lease
    done = mine[0]
    assert grants.complete_effect(done, "w1", later)
    assert grants.renew_effects(ids, "w1", later, LEASE) == ids - {done.id}  # done: nothing to hold
    taken = grants.claim_effects(later + LEASE + timedelta(seconds=1), "w2", LEASE)
    assert {e.id for e in taken} == ids - {done.id}
    assert grants.renew_effects(ids, "w1", later + LEASE, LEASE) == set()  # w1 learns it lost them
    assert grants.renew_effects(set(), "w1", later, LEASE) == set()


def test_completing_needs_the_lease_and_runs_the_follow_up_with_it(backend: Backend) -> None:
    grants = backend.store.grants
    opened(backend)
    approve(backend)
    now = T0 + timedelta(minutes=2)
    provision = next(e for e in grants.claim_effects(now, "w1", LEASE) if e.kind == "provision")
    assert provision.body["accounts"] == ["111111111111", "222222222222"]
    follow = lambda r: transition(r, Provisioned(), now)  # noqa: E731
    assert not grants.complete_effect(provision, "w2", now, follow)
    assert grants.get("r1").state is State.APPROVED
    assert grants.complete_effect(provision, "w1", now, follow)
    assert grants.get("r1").state is State.ACTIVE
    assert not grants.complete_effect(provision, "w1", now, follow)  # done once only
    grants_audited = [r for r in backend.store.audit.query(action="jit.grant")]
    assert sorted(r.event.account_id for r in grants_audited) == ["111111111111", "222222222222"]


def test_a_completion_whose_follow_up_raises_leaves_the_effect_pending(backend: Backend) -> None:
    grants = backend.store.grants
    opened(backend)
    approve(backend)
    now = T0 + timedelta(minutes=2)
    provision = next(e for e in grants.claim_effects(now, "w1", LEASE) if e.kind == "provision")
    with pytest.raises(IllegalTransition):
        grants.complete_effect(provision, "w1", now, lambda r: transition(r, Approve("carol", "late"), now))
    assert grants.pending_effects() == 4
    assert [e.id for e in grants.claim_effects(now, "w1", LEASE) if e.kind == "provision"] == [provision.id]


def test_a_failed_effect_is_retried_later_and_a_dropped_one_is_gone(backend: Backend) -> None:
    grants = backend.store.grants
    opened(backend)
    approve(backend)
    now = T0 + timedelta(minutes=2)
    claimed = grants.claim_effects(now, "w1", LEASE)
    provision = next(e for e in claimed if e.kind == "provision")
    retry = now + timedelta(seconds=30)
    grants.fail_effect(provision, "w1", now, "throttled", retry)
    assert [e.kind for e in grants.claim_effects(now, "w2", LEASE)] == []  # the notices are still w1's
    again = grants.claim_effects(retry, "w2", LEASE)
    assert [(e.kind, e.attempts) for e in again if e.kind == "provision"] == [("provision", 1)]
    for effect in claimed:
        grants.drop_effect(effect, retry, "no longer needed")
    assert grants.pending_effects() == 0
    assert grants.claim_effects(retry + timedelta(hours=1), "w3", LEASE) == []


def test_due_requests_and_the_next_instant_anything_is_due(backend: Backend) -> None:
    grants = backend.store.grants
    assert grants.next_due() is None
    opened(backend, "r1", "alice")
    answer_by = grants.get("r1").answer_by
    assert grants.next_due() == T0  # the notification is due at once
    for effect in grants.claim_effects(T0, "w1", LEASE):
        assert grants.complete_effect(effect, "w1", T0)
    assert grants.next_due() == answer_by
    assert grants.due_requests(answer_by - timedelta(seconds=1)) == []
    assert grants.due_requests(answer_by) == ["r1"]
    grants.change("r1", lambda r: transition(r, Tick(), answer_by), answer_by)
    assert grants.get("r1").state is State.EXPIRED_UNAPPROVED
    assert grants.due_requests(answer_by + timedelta(days=1)) == []


def test_a_due_removal_is_taken_before_older_effects_of_other_kinds(backend: Backend) -> None:
    grants = backend.store.grants
    opened(backend, "r1")
    approve(backend, "r1")  # its provision and notices are due from T0 + 1 min
    opened(backend, "r2", person="dave")
    approve(backend, "r2")
    active = T0 + timedelta(minutes=2)
    grants.change("r2", lambda r: transition(r, Provisioned(), active), active)
    ended = grants.get("r2").ends_at
    assert ended is not None
    grants.change("r2", lambda r: transition(r, Tick(), ended), ended)
    (first,) = grants.claim_effects(ended, "w1", LEASE, limit=1)
    assert (first.kind, first.request_id) == ("deprovision", "r2")
    rest = grants.claim_effects(ended, "w2", LEASE)  # w1 holds the removal
    assert "deprovision" not in {e.kind for e in rest} and {e.request_id for e in rest} == {"r1", "r2"}
