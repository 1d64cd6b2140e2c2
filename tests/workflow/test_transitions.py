"""The request state machine: every legal path, and the illegal moves that must raise."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from sojourn.workflow.effects import Deprovision, Notify, Provision
from sojourn.workflow.grant_request import State
from sojourn.workflow.opening import Ask, Eligibility, NotEligible, Terms, choose, open_request
from sojourn.workflow.transitions import (
    MAX_PROVISION_ATTEMPTS,
    Approve,
    Cancel,
    Deny,
    Deprovisioned,
    Extend,
    IllegalTransition,
    Provisioned,
    ProvisionFailed,
    Revoke,
    SelfApproval,
    Tick,
    transition,
)

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
RULE = Eligibility(
    Terms("prod-admin-for-team-a", "prod-admin", timedelta(hours=4), ticket_pattern=r"INC-\d+"),
    frozenset({"111111111111", "222222222222"}),
    frozenset({"bob", "carol", "alice"}),
)
ASK = Ask("alice", "prod-admin", ("111111111111",), timedelta(hours=2), "INC-4711 failover", "INC-4711")


def with_terms(**changes: object) -> Eligibility:
    return replace(RULE, terms=replace(RULE.terms, **changes))  # type: ignore[arg-type]


def opened(rule: Eligibility = RULE, ask: Ask = ASK):  # type: ignore[no-untyped-def]
    return open_request(ask, rule, "r1", T0)


def test_request_approve_provision_expire_is_the_happy_path() -> None:
    first = opened()
    assert first.request.state is State.PENDING
    assert first.request.approvers == {"bob", "carol"}
    assert Notify("request", "r1", ("bob", "carol")) in first.effects
    approved = transition(first.request, Approve("bob", "ok"), T0 + timedelta(minutes=1))
    assert approved.request.state is State.APPROVED
    assert Provision("r1", "alice", "prod-admin", ("111111111111",)) in approved.effects
    assert Notify("other_approver_acted", "r1", ("carol",)) in approved.effects
    active = transition(approved.request, Provisioned(), T0 + timedelta(minutes=2))
    assert active.request.ends_at == T0 + timedelta(hours=2, minutes=2)
    assert transition(active.request, Tick(), T0 + timedelta(hours=2)).effects == ()
    ended = transition(active.request, Tick(), T0 + timedelta(hours=2, minutes=2))
    assert ended.request.state is State.ENDED
    deprovision = next(e for e in ended.effects if isinstance(e, Deprovision))
    assert deprovision.revoke_sessions_before == T0 + timedelta(hours=2, minutes=2)
    done = transition(ended.request, Deprovisioned(), T0 + timedelta(hours=2, minutes=3))
    assert done.request.revoked_in_aws_at == T0 + timedelta(hours=2, minutes=3)


def test_nobody_approves_their_own_request() -> None:
    with pytest.raises(SelfApproval):
        transition(opened().request, Approve("alice"), T0)
    with pytest.raises(SelfApproval):
        transition(opened().request, Deny("alice"), T0)


def test_only_listed_approvers_answer_and_only_once() -> None:
    request = opened().request
    with pytest.raises(IllegalTransition, match="not an approver"):
        transition(request, Approve("mallory"), T0)
    first = transition(request, Approve("bob"), T0)
    with pytest.raises(IllegalTransition, match="does not apply"):
        transition(first.request, Approve("carol"), T0)


def test_two_approvals_when_the_rule_asks_for_two() -> None:
    request = opened(with_terms(approvals_required=2)).request
    once = transition(request, Approve("bob"), T0)
    assert once.request.state is State.PENDING and not any(isinstance(e, Provision) for e in once.effects)
    with pytest.raises(IllegalTransition, match="already answered"):
        transition(once.request, Approve("bob"), T0)
    twice = transition(once.request, Approve("carol"), T0)
    assert twice.request.state is State.APPROVED


def test_unanswered_request_expires_and_cannot_be_approved_late() -> None:
    request = opened().request
    late = T0 + timedelta(hours=24)
    with pytest.raises(IllegalTransition, match="expired"):
        transition(request, Approve("bob"), late)
    assert transition(request, Tick(), late).request.state is State.EXPIRED_UNAPPROVED


def test_deny_cancel_and_revoke_rules() -> None:
    request = opened().request
    assert transition(request, Deny("carol", "no"), T0).request.state is State.DENIED
    with pytest.raises(IllegalTransition, match="only alice can cancel"):
        transition(request, Cancel("bob"), T0)
    assert transition(request, Cancel("alice"), T0).request.state is State.CANCELLED
    active = transition(transition(request, Approve("bob"), T0).request, Provisioned(), T0).request
    with pytest.raises(IllegalTransition, match="may not revoke"):
        transition(active, Revoke("mallory", "x"), T0)
    revoked = transition(active, Revoke("alice", "done early"), T0 + timedelta(minutes=30))
    assert revoked.request.state is State.REVOKED
    assert any(isinstance(e, Deprovision) for e in revoked.effects)
    with pytest.raises(IllegalTransition):
        transition(revoked.request, Revoke("bob", "again"), T0)


def test_provisioning_that_finishes_after_revocation_is_taken_back() -> None:
    approved = transition(opened().request, Approve("bob"), T0).request
    revoked = transition(approved, Revoke("bob", "changed my mind"), T0).request
    late = transition(revoked, Provisioned(), T0 + timedelta(seconds=5))
    assert late.request.state is State.REVOKED
    assert [type(e) for e in late.effects] == [Deprovision]


def test_provisioning_failures_retry_then_fail_with_cleanup() -> None:
    request = transition(opened().request, Approve("bob"), T0).request
    for _ in range(MAX_PROVISION_ATTEMPTS - 1):
        request = transition(request, ProvisionFailed("throttled"), T0).request
        assert request.state is State.APPROVED
    failed = transition(request, ProvisionFailed("throttled"), T0)
    assert failed.request.state is State.FAILED
    assert any(isinstance(e, Deprovision) for e in failed.effects)


def test_extension_by_an_approver_within_the_maximum() -> None:
    active = transition(transition(opened().request, Approve("bob"), T0).request, Provisioned(), T0).request
    with pytest.raises(SelfApproval):
        transition(active, Extend("alice", timedelta(hours=1), RULE.terms.max_duration), T0)
    longer = transition(active, Extend("carol", timedelta(hours=1), RULE.terms.max_duration), T0).request
    assert longer.ends_at == T0 + timedelta(hours=3)
    with pytest.raises(IllegalTransition, match="longer than"):
        transition(longer, Extend("carol", timedelta(hours=2), RULE.terms.max_duration), T0)


def test_eligibility_checks_duration_reason_ticket_and_accounts() -> None:
    with pytest.raises(NotEligible, match="longer than"):
        open_request(replace(ASK, duration=timedelta(hours=5)), RULE, "r", T0)
    with pytest.raises(NotEligible, match="requires a reason"):
        open_request(replace(ASK, reason=" "), RULE, "r", T0)
    with pytest.raises(NotEligible, match="does not match"):
        open_request(replace(ASK, ticket="JIRA-1"), RULE, "r", T0)
    with pytest.raises(NotEligible, match="not eligible"):
        choose(replace(ASK, accounts=("333333333333",)), [RULE])
    assert choose(replace(ASK, accounts=("111111111111", "222222222222")), [RULE]) is RULE


def test_break_glass_and_auto_approval_skip_approvers() -> None:
    glass = replace(with_terms(break_glass=True, notify=("security",)), approvers=frozenset())
    outcome = open_request(replace(ASK, break_glass=True), glass, "bg", T0)
    assert outcome.request.state is State.APPROVED and outcome.request.source == "break-glass"
    assert Notify("break_glass", "bg", ("security",)) in outcome.effects
    auto = open_request(ASK, with_terms(auto_approve=True), "auto", T0)
    assert auto.request.state is State.APPROVED and auto.request.source == "auto"
    lonely = replace(RULE, approvers=frozenset({"alice"}))
    with pytest.raises(NotEligible, match="other than alice"):
        open_request(ASK, lonely, "r", T0)
