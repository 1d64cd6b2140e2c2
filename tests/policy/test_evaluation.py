"""Evaluation beyond the shared vectors: operator families, qualifiers, variables, SCP chains (S4.3)."""

from __future__ import annotations

import pytest

from sojourn.policy import (
    Discovery,
    EvaluationRequest,
    Outcome,
    PolicyKind,
    PolicySet,
    compile_policy_set,
    evaluate,
    parse_policy_document,
)
from sojourn.policy.model import Policy

USER = "arn:aws:iam::111122223333:user/alice"


def policy(*statements: dict, kind: PolicyKind = PolicyKind.IDENTITY) -> Policy:
    result = parse_policy_document({"Version": "2012-10-17", "Statement": list(statements)}, kind=kind)
    assert result.policy is not None
    return result.policy


def allow_if(condition: dict, action: str = "s3:GetObject", resource: str = "*") -> PolicySet:
    return PolicySet(
        identity=(
            policy({"Effect": "Allow", "Action": action, "Resource": resource, "Condition": condition}),
        )
    )


def decide(
    policies: PolicySet,
    context: dict | None = None,
    action: str = "s3:GetObject",
    resource: str = "arn:aws:s3:::bucket/key",
    principal: str = USER,
) -> Outcome:
    request = EvaluationRequest(action, resource, principal, "111122223333", context or {})
    return evaluate(request, policies).outcome


ALLOWED, DENIED = Outcome.ALLOWED, Outcome.IMPLICITLY_DENIED


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.7"}, ALLOWED),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.1"}, DENIED),
        ({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db8::1"}, ALLOWED),
        ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {}, ALLOWED),
        ({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {"aws:MultiFactorAuthPresent": "true"}, ALLOWED),
        ({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {}, DENIED),
        ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}, {}, ALLOWED),
        (
            {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
            {"aws:MultiFactorAuthPresent": "false"},
            DENIED,
        ),
        ({"Null": {"aws:MultiFactorAuthAge": "false"}}, {"aws:MultiFactorAuthAge": "30"}, ALLOWED),
        ({"Null": {"aws:MultiFactorAuthAge": "true"}}, {"aws:MultiFactorAuthAge": "30"}, DENIED),
        (
            {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
            {"aws:CurrentTime": "2026-06-01T00:00:00Z"},
            ALLOWED,
        ),
        (
            {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
            {"aws:CurrentTime": "2025-06-01T00:00:00Z"},
            DENIED,
        ),
        (
            {"DateLessThan": {"aws:TokenIssueTime": "2026-01-01T00:00:00Z"}},
            {"aws:TokenIssueTime": "1700000000"},
            ALLOWED,
        ),
        (
            {"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}},
            {"aws:MultiFactorAuthAge": "3600"},
            ALLOWED,
        ),
        ({"StringLike": {"s3:prefix": "home/${aws:username}/*"}}, {"s3:prefix": "home/alice/docs"}, ALLOWED),
        ({"StringLike": {"s3:prefix": "home/${aws:username}/*"}}, {"s3:prefix": "home/bob/docs"}, DENIED),
        (
            {"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "Blue"}},
            {"aws:PrincipalTag/team": "blue"},
            ALLOWED,
        ),
        ({"StringNotEquals": {"aws:PrincipalTag/team": "red"}}, {}, ALLOWED),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:topic-*"}},
            {"aws:SourceArn": "arn:aws:sns:eu-west-1:111122223333:topic-a"},
            ALLOWED,
        ),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:topic-*"}},
            {"aws:SourceArn": "arn:aws:sns:eu-west-1:444455556666:topic-a"},
            DENIED,
        ),
        (
            {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}},
            {"aws:TagKeys": ["owner", "env"]},
            ALLOWED,
        ),
        ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, {}, DENIED),
        (
            {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}},
            {"aws:TagKeys": ["env", "owner"]},
            DENIED,
        ),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}, {"aws:TagKeys": ["env"]}, ALLOWED),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}, {}, ALLOWED),
        ({"BinaryEquals": {"custom:blob": "QUJD"}}, {"custom:blob": "QUJD"}, ALLOWED),
        ({"BinaryEquals": {"custom:blob": "QUJD"}}, {"custom:blob": "QUJE"}, DENIED),
        ({"StringLike": {"s3:prefix": "literal-${*}"}}, {"s3:prefix": "literal-*"}, ALLOWED),
        ({"StringLike": {"s3:prefix": "literal-${*}"}}, {"s3:prefix": "literal-abc"}, DENIED),
        ({"StringEquals": {"s3:prefix": "${aws:username}"}}, {"s3:prefix": "alice"}, ALLOWED),
        ({"StringNotLike": {"s3:prefix": "tmp/*"}}, {"s3:prefix": "tmp/x"}, DENIED),
        ({"StringNotLike": {"s3:prefix": "tmp/*"}}, {"s3:prefix": "home/x"}, ALLOWED),
        ({"StringEquals": {"aws:PrincipalTag/team": "Blue"}}, {"aws:PrincipalTag/team": "blue"}, DENIED),
        (
            {"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "BLUE"}},
            {"aws:PrincipalTag/team": "blue"},
            DENIED,
        ),
        ({"NumericNotEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.0"}, DENIED),
        ({"NumericGreaterThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "abc"}, DENIED),
        ({"NumericLessThanIfExists": {"s3:max-keys": "10"}}, {}, ALLOWED),
        ({"NumericLessThan": {"s3:max-keys": "10"}}, {}, DENIED),
        (
            {"DateNotEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
            {"aws:CurrentTime": "2026-01-01T01:00:00+01:00"},
            DENIED,
        ),
        (
            {"DateGreaterThanEquals": {"aws:EpochTime": "1700000000"}},
            {"aws:EpochTime": "2023-11-14T22:13:20Z"},
            ALLOWED,
        ),
        (
            {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}},
            {"aws:SourceIp": "10.1.2.3"},
            DENIED,
        ),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "2001:db8::1"}, DENIED),
        (
            {"ArnEquals": {"aws:SourceArn": "arn:aws:sqs:*:111122223333:q"}},
            {"aws:SourceArn": "arn:aws:sqs:us-east-1:111122223333:q"},
            ALLOWED,
        ),
        (
            {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin-*"}},
            {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin-x"},
            DENIED,
        ),
        ({"ArnNotLike": {"aws:SourceArn": "arn:aws:iam::*:role/admin-*"}}, {}, ALLOWED),
        ({"Null": {"aws:TagKeys": "true"}}, {"aws:TagKeys": []}, ALLOWED),
        (
            {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["env"]}},
            {"aws:TagKeys": ["env", "owner"]},
            ALLOWED,
        ),
        (
            {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["env"]}},
            {"aws:TagKeys": ["env", "owner"]},
            DENIED,
        ),
        ({"StringNotEquals": {"aws:TagKeys": ["env"]}}, {"aws:TagKeys": ["env", "owner"]}, DENIED),
        (
            {"ForAllValues:StringLikeIfExists": {"aws:TagKeys": ["e*"]}},
            {"aws:TagKeys": ["env", "eu"]},
            ALLOWED,
        ),
        ({"ForAnyValue:NumericLessThan": {"custom:sizes": "5"}}, {"custom:sizes": ["9", "3"]}, ALLOWED),
    ],
)
def test_condition_operators(condition: dict, context: dict, expected: Outcome) -> None:
    assert decide(allow_if(condition), context) == expected


def test_resource_variables_and_case_insensitive_keys() -> None:
    policies = PolicySet(
        identity=(
            policy({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}),
        )
    )
    assert decide(policies, resource="arn:aws:s3:::home/alice/notes") == ALLOWED
    assert decide(policies, resource="arn:aws:s3:::home/bob/notes") == DENIED
    assert (
        decide(allow_if({"StringEquals": {"AWS:PRINCIPALTAG/Team": "x"}}), {"aws:principaltag/team": "x"})
        == ALLOWED
    )


def test_scp_chain_every_level_must_allow_and_deny_names_the_blocker() -> None:
    identity = (policy({"Effect": "Allow", "Action": "*", "Resource": "*"}),)
    allow_all = (policy({"Effect": "Allow", "Action": "*", "Resource": "*"}, kind=PolicyKind.SCP),)
    only_s3 = (policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, kind=PolicyKind.SCP),)
    deny_delete = (
        policy({"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}, kind=PolicyKind.SCP),
        *allow_all,
    )
    chain = compile_policy_set(PolicySet(identity=identity, scps=(allow_all, only_s3, deny_delete)))
    assert evaluate(EvaluationRequest("s3:GetObject", "arn:aws:s3:::b/k", USER), chain).outcome == ALLOWED
    ec2 = evaluate(EvaluationRequest("ec2:RunInstances", "*", USER), chain)
    assert (ec2.outcome, ec2.blocked_by) == (DENIED, "scp")
    delete = evaluate(EvaluationRequest("s3:DeleteObject", "arn:aws:s3:::b/k", USER), chain)
    assert (delete.outcome, delete.blocked_by) == (Outcome.EXPLICITLY_DENIED, "scp")
    assert "Statement[0]" in delete.reason


def test_not_action_and_not_resource_deny() -> None:
    policies = PolicySet(
        identity=(
            policy({"Effect": "Allow", "Action": "*", "Resource": "*"}),
            policy(
                {
                    "Effect": "Deny",
                    "NotAction": ["iam:Get*", "iam:List*"],
                    "NotResource": "arn:aws:s3:::open/*",
                }
            ),
        )
    )
    assert decide(policies, action="iam:GetRole", resource="*") == ALLOWED
    assert decide(policies, action="s3:GetObject", resource="arn:aws:s3:::open/x") == ALLOWED
    assert (
        decide(policies, action="s3:GetObject", resource="arn:aws:s3:::secret/x") == Outcome.EXPLICITLY_DENIED
    )


def test_cross_account_needs_both_sides() -> None:
    identity = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    bucket = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "111122223333"},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::other/*",
        },
        kind=PolicyKind.RESOURCE,
    )
    request = EvaluationRequest("s3:GetObject", "arn:aws:s3:::other/k", USER, "444455556666")
    assert evaluate(request, PolicySet(identity=(identity,))).outcome == DENIED
    assert evaluate(request, PolicySet(resource=(bucket,))).outcome == DENIED
    assert evaluate(request, PolicySet(identity=(identity,), resource=(bucket,))).outcome == ALLOWED


SESSION = "arn:aws:sts::111122223333:assumed-role/deployer/alice"


def bucket_policy_for(principal: str) -> Policy:
    return policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": principal},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::bucket/*",
        },
        kind=PolicyKind.RESOURCE,
    )


def test_session_policy_limits_grants_to_the_role_but_not_to_the_session_itself() -> None:
    only_ec2 = (policy({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}, kind=PolicyKind.SESSION),)
    to_role = PolicySet(
        resource=(bucket_policy_for("arn:aws:iam::111122223333:role/deployer"),), session=only_ec2
    )
    to_session = PolicySet(resource=(bucket_policy_for(SESSION),), session=only_ec2)
    denied = evaluate(
        EvaluationRequest("s3:GetObject", "arn:aws:s3:::bucket/k", SESSION, "111122223333"), to_role
    )
    assert (denied.outcome, denied.blocked_by) == (DENIED, "session")
    allowed = evaluate(
        EvaluationRequest("s3:GetObject", "arn:aws:s3:::bucket/k", SESSION, "111122223333"), to_session
    )
    assert allowed.outcome == ALLOWED and [d.policy_type for d in allowed.deciding] == ["resource"]


def test_boundary_does_not_limit_a_grant_to_the_user_even_when_identity_also_allows() -> None:
    identity = (policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}),)
    boundary = (policy({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}, kind=PolicyKind.BOUNDARY),)
    request = EvaluationRequest("s3:GetObject", "arn:aws:s3:::bucket/k", USER, "111122223333")
    identity_only = evaluate(request, PolicySet(identity=identity, boundary=boundary))
    assert (identity_only.outcome, identity_only.blocked_by) == (DENIED, "pb")
    both = evaluate(
        request, PolicySet(identity=identity, resource=(bucket_policy_for(USER),), boundary=boundary)
    )
    assert both.outcome == ALLOWED and [d.policy_type for d in both.deciding] == ["resource"]


def test_an_action_pattern_without_a_colon_matches_nothing_but_a_lone_star_matches_everything() -> None:
    """AWS refuses "iam*" as an action; the engine agrees with the catalogue that it grants nothing."""
    from sojourn.policy import (
        EvaluationRequest,
        Outcome,
        PolicyKind,
        PolicySet,
        evaluate,
        parse_policy_document,
    )

    def decide(pattern: str) -> Outcome:
        document = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": pattern, "Resource": "*"}],
        }
        policy = parse_policy_document(document, kind=PolicyKind.IDENTITY).policy
        assert policy is not None
        request = EvaluationRequest("iam:PassRole", "*", "arn:aws:iam::111122223333:role/r", "111122223333")
        return evaluate(request, PolicySet(identity=(policy,))).outcome

    assert decide("iam*") is Outcome.IMPLICITLY_DENIED
    assert decide("**") is Outcome.IMPLICITLY_DENIED
    assert decide("*") is Outcome.ALLOWED
    assert decide("iam:*") is Outcome.ALLOWED


def test_discovery_upper_bound_avoids_denies_it_cannot_settle_and_says_what_that_takes() -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
            },
        ],
    }
    policy = parse_policy_document(document, kind=PolicyKind.IDENTITY).policy
    assert policy is not None
    request = EvaluationRequest(
        "s3:GetObject", "arn:aws:s3:::b/k", "arn:aws:iam::111122223333:user/u", "111122223333"
    )
    policies = PolicySet(identity=(policy,))
    assert evaluate(request, policies, Discovery()).outcome is Outcome.EXPLICITLY_DENIED
    bound = evaluate(request, policies, Discovery(denies_avoidable=True))
    assert bound.outcome is Outcome.ALLOWED
    assert bound.ignored_conditions == ("not (Bool aws:MultiFactorAuthPresent ['false']), or a Deny applies",)
    settled = EvaluationRequest(
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "arn:aws:iam::111122223333:user/u",
        "111122223333",
        {"aws:MultiFactorAuthPresent": "false"},
    )
    assert evaluate(settled, policies, Discovery(denies_avoidable=True)).outcome is Outcome.EXPLICITLY_DENIED
