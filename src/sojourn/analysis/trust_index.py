"""What each role's trust policy names: AWS principals, services and identity providers, for pre-filtering.

The engine decides every edge; this index only narrows which principals are worth asking about.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sojourn.policy.model import Effect, Policy
from sojourn.policy.wildcards import action_matches

ACCOUNT_ID = re.compile(r"^\d{12}$")
ROOT = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):root$")


@dataclass(frozen=True, slots=True)
class TrustNames:
    everyone: bool
    accounts: frozenset[str]
    arns: frozenset[str]
    services: frozenset[str]


def trust_names(trust: Policy) -> TrustNames:
    return principals_named(trust, "sts:AssumeRole")


def principals_named(policy: Policy, action: str | None) -> TrustNames:
    """Who the policy's Allow statements (for `action`, when given) name; NotPrincipal counts as everyone."""
    everyone = False
    accounts: set[str] = set()
    arns: set[str] = set()
    services: set[str] = set()
    for statement in policy.statements:
        if statement.effect is not Effect.ALLOW:
            continue
        if (
            action is not None
            and statement.actions is not None
            and not any(action_matches(p, action) for p in statement.actions)
        ):
            continue
        if statement.not_principals is not None:
            everyone = True
        for principal in statement.principals or ():
            value = principal.value
            if principal.kind == "*" or (principal.kind == "AWS" and value == "*"):
                everyone = True
            elif principal.kind == "Service":
                services.add(value)
            elif principal.kind == "AWS" and ACCOUNT_ID.match(value):
                accounts.add(value)
            elif principal.kind == "AWS" and (root := ROOT.match(value)):
                accounts.add(root.group(1))
            elif principal.kind == "AWS":
                arns.add(value)
    return TrustNames(everyone, frozenset(accounts), frozenset(arns), frozenset(services))


def federated_by_account(
    role_accounts: Mapping[str, str], trusts: Mapping[str, Policy | None]
) -> dict[str, list[str]]:
    """Per account, the roles (ARN to account in `role_accounts`) whose trust policy (`trusts`, keyed
    `ARN#trust`) names an identity provider (SAML or OIDC)."""
    found: dict[str, list[str]] = {}
    for arn, account in role_accounts.items():
        trust = trusts.get(f"{arn}#trust")
        if trust is not None and any(
            p.kind == "Federated" for st in trust.statements for p in st.principals or ()
        ):
            found.setdefault(account, []).append(arn)
    return found
