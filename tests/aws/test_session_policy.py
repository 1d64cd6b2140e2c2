"""Session revocation statements, checked with the evaluation engine: old sessions denied, new ones not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sojourn.aws.session_policy import PREFIX, merged, without_revocations
from sojourn.policy import EvaluationRequest, Outcome, PolicyKind, PolicySet, evaluate, parse_policy_document

T = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
OWN = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "NoUsers", "Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}],
}


def decide(inline: dict, user_id: str, issued: datetime) -> Outcome:
    policies = tuple(
        p
        for p in (
            parse_policy_document(ADMIN, kind=PolicyKind.IDENTITY).policy,
            parse_policy_document(inline, kind=PolicyKind.PERMISSION_SET_INLINE).policy,
        )
        if p is not None
    )
    context = {"identitystore:UserId": user_id, "aws:TokenIssueTime": issued.strftime("%Y-%m-%dT%H:%M:%SZ")}
    request = EvaluationRequest(
        "s3:GetObject",
        "arn:aws:s3:::data/x",
        "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_prod-admin_1/alice",
        "111111111111",
        context,
    )
    return evaluate(request, PolicySet(identity=policies)).outcome


def test_sessions_issued_before_the_revocation_are_denied_and_later_ones_are_not() -> None:
    inline = merged(OWN, "user-alice", T, T, timedelta(hours=2))
    assert inline is not None
    assert decide(inline, "user-alice", T - timedelta(minutes=30)) is Outcome.EXPLICITLY_DENIED
    assert decide(inline, "user-alice", T + timedelta(minutes=1)) is Outcome.ALLOWED
    assert decide(inline, "user-bob", T - timedelta(minutes=30)) is Outcome.ALLOWED


def test_latest_revocation_wins_stale_ones_are_pruned_and_plans_do_not_see_them() -> None:
    first = merged(OWN, "user-alice", T, T, timedelta(hours=2))
    later = merged(first, "user-alice", T + timedelta(hours=1), T + timedelta(hours=1), timedelta(hours=2))
    assert later is not None
    sojourn = [s for s in later["Statement"] if s["Sid"].startswith(PREFIX)]
    assert (
        len(sojourn) == 1
        and sojourn[0]["Condition"]["DateLessThan"]["aws:TokenIssueTime"] == "2026-11-24T13:00:00Z"
    )
    older = merged(later, "user-alice", T, T + timedelta(hours=1), timedelta(hours=2))
    assert older == later
    pruned = merged(later, None, None, T + timedelta(hours=3, seconds=1), timedelta(hours=2))
    assert pruned == OWN
    assert without_revocations(later) == OWN
    assert merged(None, None, None, T, timedelta(hours=1)) is None
