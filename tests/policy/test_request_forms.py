"""How a request is read: a resource pattern or literal text, a service given as an AWS principal."""

from __future__ import annotations

from sojourn.policy import EvaluationRequest, Outcome, PolicyKind, PolicySet, PrincipalType, evaluate
from sojourn.policy import parse_policy_document as parse

USER = "arn:aws:iam::111122223333:user/ana"
ROLE = "arn:aws:iam::111122223333:role/fn"


def identity(resource: str) -> PolicySet:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": resource}],
    }
    result = parse(document, kind=PolicyKind.IDENTITY)
    assert result.policy is not None
    return PolicySet(identity=(result.policy,))


def outcome(policies: PolicySet, resource: str, pattern: bool | None = None) -> Outcome:
    request = EvaluationRequest("s3:GetObject", resource, USER, "111122223333", resource_pattern=pattern)
    return evaluate(request, policies).outcome


def test_a_resource_with_a_wildcard_is_a_pattern_unless_the_caller_says_otherwise() -> None:
    narrower = identity("arn:aws:s3:::reports/2026/*")
    assert outcome(narrower, "arn:aws:s3:::reports/*") is Outcome.ALLOWED
    assert outcome(narrower, "arn:aws:s3:::reports/*", pattern=False) is Outcome.IMPLICITLY_DENIED


def test_a_bare_star_is_literal_unless_the_caller_says_it_is_a_pattern() -> None:
    one_object = identity("arn:aws:s3:::reports/q1.csv")
    assert outcome(one_object, "*") is Outcome.IMPLICITLY_DENIED
    assert outcome(one_object, "*", pattern=True) is Outcome.ALLOWED


def test_a_service_name_given_as_an_aws_principal_is_read_as_the_service() -> None:
    trust = parse(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                }
            ],
        },
        kind=PolicyKind.TRUST,
    ).policy
    assert trust is not None
    policies = PolicySet(resource=(trust,))
    for kind in (PrincipalType.AWS, PrincipalType.SERVICE):
        request = EvaluationRequest(
            "sts:AssumeRole", ROLE, "lambda.amazonaws.com", "111122223333", principal_type=kind
        )
        assert evaluate(request, policies).outcome is Outcome.ALLOWED
