"""Identity Center permission sets as the roles they become in each account, and who signs in to them."""

from __future__ import annotations

import json
from dataclasses import replace

from sojourn.access.state import AccessState, PermissionSetSpec, PrincipalType
from sojourn.analysis.snapshot import AccountSnapshot, InlinePolicy, Role, SsoAccess

RESERVED_PATH = "aws-reserved/sso.amazonaws.com"


def with_identity_center(account: AccountSnapshot, state: AccessState) -> AccountSnapshot:
    """Add each assigned permission set's role (unless IAM already listed it) and the people who use it."""
    members: dict[str, list[str]] = {}
    for membership in state.memberships:
        members.setdefault(membership.group, []).append(membership.user)
    roles = list(account.roles)
    access: list[SsoAccess] = list(account.sso)
    for permission_set in sorted({a.permission_set for a in state.assignments if a.account_id == account.id}):
        spec = state.permission_sets.get(permission_set)
        if spec is None:
            continue
        role = _existing(roles, permission_set) or _role(account.id, spec)
        if role not in roles:
            roles.append(role)
        for assignment in state.assignments:
            if assignment.account_id != account.id or assignment.permission_set != permission_set:
                continue
            people = (
                [assignment.principal]
                if assignment.principal_type is PrincipalType.USER
                else members.get(assignment.principal, [])
            )
            access += (SsoAccess(person, role.arn) for person in people)
    unique = sorted(set(access), key=lambda a: (a.role, a.person))
    return replace(account, roles=tuple(roles), sso=tuple(unique))


def _existing(roles: list[Role], permission_set: str) -> Role | None:
    prefix = f"AWSReservedSSO_{permission_set}_"
    found = next((r for r in roles if r.name.startswith(prefix)), None)
    return replace(found, permission_set=permission_set) if found else None


def _role(account: str, spec: PermissionSetSpec) -> Role:
    name = f"AWSReservedSSO_{spec.name}_sojourn"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{account}:saml-provider/AWSSSO_DO_NOT_DELETE"},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            }
        ],
    }
    managed = list(spec.managed_policies)
    managed += [
        f"arn:aws:iam::{account}:policy{ref.path}{ref.name}" for ref in spec.customer_managed_policies
    ]
    inline = (
        (InlinePolicy("AwsSSOInlinePolicy", json.loads(spec.inline_policy)),) if spec.inline_policy else ()
    )
    return Role(
        f"arn:aws:iam::{account}:role/{RESERVED_PATH}/{name}",
        name,
        trust,
        tuple(managed),
        inline,
        None,
        spec.name,
    )
