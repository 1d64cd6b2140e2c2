"""The conditions that kept an Allow from applying: only statements that name the action, the resource and
(in a resource policy) the caller; with what the request held for each key."""

from __future__ import annotations

from typing import Any

from sojourn.policy import EvaluationRequest, PolicyKind, PolicySet, parse_policy_document
from sojourn.policy.context_values import context_problems
from sojourn.policy.model import Policy
from sojourn.policy.unmet import unmet_conditions

ALICE = "arn:aws:iam::111111111111:user/alice"
BOB = "arn:aws:iam::111111111111:user/bob"
BUCKET = "arn:aws:s3:::reports"


def policy(kind: PolicyKind, *statements: dict[str, Any]) -> Policy:
    parsed = parse_policy_document(
        {"Version": "2012-10-17", "Statement": list(statements)}, source="p.json", kind=kind
    )
    assert parsed.policy is not None
    return parsed.policy


def test_only_statements_that_name_the_caller_resource_and_action_are_explained() -> None:
    tls = {"Bool": {"aws:SecureTransport": "true"}}
    bucket = policy(
        PolicyKind.RESOURCE,
        {
            "Effect": "Allow",
            "Principal": {"AWS": BOB},
            "Action": "s3:GetObject",
            "Resource": f"{BUCKET}/*",
            "Condition": tls,
        },
        {
            "Effect": "Allow",
            "Principal": {"AWS": ALICE},
            "Action": "s3:PutObject",
            "Resource": f"{BUCKET}/*",
            "Condition": tls,
        },
        {
            "Effect": "Allow",
            "Principal": {"AWS": ALICE},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::other/*",
            "Condition": tls,
        },
    )
    policies = PolicySet(resource=(bucket,))
    asked = EvaluationRequest(
        "s3:GetObject", f"{BUCKET}/k", ALICE, "111111111111", {"aws:SecureTransport": "false"}
    )
    assert unmet_conditions(asked, policies) == ()
    as_bob = EvaluationRequest(
        "s3:GetObject", f"{BUCKET}/k", BOB, "111111111111", {"aws:SecureTransport": "false"}
    )
    (unmet,) = unmet_conditions(as_bob, policies)
    assert (unmet.policy_type, unmet.index, unmet.operator, unmet.key, unmet.held) == (
        "resource",
        0,
        "Bool",
        "aws:SecureTransport",
        ("false",),
    )


def test_context_values_are_checked_by_key_type_and_by_the_operators_that_compare_them() -> None:
    identity = policy(
        PolicyKind.IDENTITY,
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"NumericLessThan": {"s3:max-keys": "10"}},
        },
    )
    types = {"aws:sourceip": "IPAddress"}
    assert (
        context_problems({"aws:SourceIp": ["10.0.0.1", "::1"], "s3:max-keys": ["5"]}, [identity], types) == []
    )
    problems = context_problems(
        {"aws:sourceip": ["10.0.0"], "s3:max-keys": ["ten"], "x:free": ["any"]}, [identity], types
    )
    assert problems == [
        "aws:sourceip=10.0.0 is not an IP address (a global condition key of type IPAddress)",
        "s3:max-keys=ten is not a number (p.json compares it with NumericLessThan)",
    ]
