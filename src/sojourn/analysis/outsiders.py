"""Principals outside the organisation that a trust or resource policy lets in: another account (any of its
principals), one named principal of another account, any AWS account, or anyone without credentials.

The organisation does not control these principals' own policies, so they are asked about as if their
identity side allowed everything; the policy that names them, the owning account's RCPs and what the
request context can settle decide. They are not in the organisation, so `aws:PrincipalOrgID` never
matches the organisation's id for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from sojourn.analysis.trust_index import principals_named
from sojourn.policy import (
    CompiledPolicySet,
    Discovery,
    EvaluationRequest,
    Outcome,
    PolicyKind,
    PrincipalType,
    evaluate,
    parse_policy_document,
)
from sojourn.policy.compiled import CompiledPolicy, compile_policy
from sojourn.policy.model import Policy

ACCOUNT_ID = re.compile(r"^\d{12}$")
ACCOUNT_ARN = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):")
ANY_ACCOUNT = "000000000000"
"""Stands for an account nobody named: the caller of "any AWS account"."""
OUTSIDE_ORGANISATION = "(outside the organisation)"
ANYONE = "anyone"
ANONYMOUS = "anyone:anonymous"


@dataclass(frozen=True, slots=True)
class Outsider:
    """A caller from outside the organisation; `id` is its node in the access graph."""

    id: str
    kind: str
    """"external" (another account or one of its principals) or "anyone"."""
    label: str
    principal: str
    account: str | None
    principal_type: PrincipalType = PrincipalType.AWS


def outsiders_named(
    policy: Policy, organisation: frozenset[str], action: str | None = None
) -> list[Outsider]:
    """Who outside the organisation the policy's Allow statements (for `action`, when given) name."""
    named = principals_named(policy, action)
    accounts, arns, everyone = named.accounts, named.arns, named.everyone
    found = [external_account(a) for a in sorted(accounts - organisation)]
    found += [
        Outsider(arn, "external", f"{arn} {OUTSIDE_ORGANISATION}", arn, owner.group(1))
        for arn in sorted(arns)
        if (owner := ACCOUNT_ARN.match(arn)) and owner.group(1) not in organisation
    ]
    if everyone:
        found.append(
            Outsider(
                ANYONE,
                "anyone",
                "anyone with an AWS account",
                f"arn:aws:iam::{ANY_ACCOUNT}:root",
                ANY_ACCOUNT,
            )
        )
        if action is None or not action.lower().startswith("sts:"):
            found.append(
                Outsider(
                    ANONYMOUS,
                    "anyone",
                    "anyone, without credentials (public)",
                    "anonymous",
                    None,
                    PrincipalType.ANONYMOUS,
                )
            )
    return found


def external_account(account: str) -> Outsider:
    return Outsider(
        f"external:{account}",
        "external",
        f"any principal in account {account} {OUTSIDE_ORGANISATION}",
        f"arn:aws:iam::{account}:root",
        account,
    )


def outsider_decision(
    outsider: Outsider,
    action: str,
    resource: str,
    resource_account: str,
    policy: CompiledPolicy,
    rcps: tuple[tuple[CompiledPolicy, ...], ...],
    context: dict[str, str],
    discovery: Discovery,
) -> tuple[str, ...] | None:
    """The conditions the outsider's request takes when `policy` (trust or resource) lets it in, else None."""
    policies = CompiledPolicySet(_their_own(), (policy,), (), rcps, None, None, None)
    request = EvaluationRequest(
        action,
        resource,
        outsider.principal,
        resource_account,
        {**context, "aws:PrincipalOrgID": OUTSIDE_ORGANISATION, "aws:ResourceAccount": resource_account},
        principal_type=outsider.principal_type,
        principal_account=outsider.account,
    )
    decision = evaluate(request, policies, discovery)
    return decision.ignored_conditions if decision.outcome is Outcome.ALLOWED else None


def outsiders_let_in(
    trust: Policy,
    organisation: frozenset[str],
    role_arn: str,
    role_account: str,
    compiled_trust: CompiledPolicy,
    rcps: tuple[tuple[CompiledPolicy, ...], ...],
) -> list[tuple[Outsider, tuple[str, ...]]]:
    """Callers from outside the organisation a role's trust lets assume it, with the conditions each takes."""
    found = []
    for outsider in outsiders_named(trust, organisation, "sts:AssumeRole"):
        answer = outsider_decision(
            outsider, "sts:AssumeRole", role_arn, role_account, compiled_trust, rcps, {}, Discovery()
        )
        if answer is not None:
            found.append((outsider, answer))
    return found


@cache
def _their_own() -> tuple[CompiledPolicy, ...]:
    """An outsider's identity side: not ours to know, so taken to allow anything."""
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    policy = parse_policy_document(document, source="outsider", kind=PolicyKind.IDENTITY).policy
    assert policy is not None
    return (compile_policy(policy),)
