"""AccessState to and from JSON text, for saved plans and snapshots."""

from __future__ import annotations

import json
from typing import Any

from sojourn.access.state import (
    AccessState,
    Assignment,
    CustomerManagedPolicyRef,
    GroupSpec,
    Membership,
    PermissionsBoundary,
    PermissionSetSpec,
    PrincipalType,
    UserSpec,
)
from sojourn.inputs.bounded_json import load_json


def state_to_json(state: AccessState) -> str:
    return json.dumps(state_to_document(state), sort_keys=True, separators=(",", ":"))


def state_to_document(state: AccessState) -> dict[str, Any]:
    return {
        "permission_sets": [
            permission_set_to_document(state.permission_sets[n]) for n in sorted(state.permission_sets)
        ],
        "users": [user_to_document(state.users[n]) for n in sorted(state.users)],
        "groups": [{"name": g.name, "description": g.description} for _, g in sorted(state.groups.items())],
        "memberships": [[m.group, m.user] for m in sorted(state.memberships)],
        "assignments": [
            [a.account_id, a.permission_set, a.principal_type.value, a.principal]
            for a in sorted(state.assignments)
        ],
    }


def state_from_json(text: str) -> AccessState:
    document = load_json(text)
    if not isinstance(document, dict):
        raise ValueError("an access state is a JSON object")
    return state_from_document(document)


def state_from_document(document: dict[str, Any]) -> AccessState:
    permission_sets = [permission_set_from_document(d) for d in document["permission_sets"]]
    users = [UserSpec(**d) for d in document["users"]]
    groups = [GroupSpec(**d) for d in document["groups"]]
    return AccessState(
        permission_sets={p.name: p for p in permission_sets},
        users={u.user_name: u for u in users},
        groups={g.name: g for g in groups},
        memberships=frozenset(Membership(group, user) for group, user in document["memberships"]),
        assignments=frozenset(
            Assignment(account, permission_set, PrincipalType(kind), principal)
            for account, permission_set, kind, principal in document["assignments"]
        ),
    )


def user_to_document(user: UserSpec) -> dict[str, str]:
    return {
        "user_name": user.user_name,
        "display_name": user.display_name,
        "email": user.email,
        "given_name": user.given_name,
        "family_name": user.family_name,
    }


def permission_set_to_document(spec: PermissionSetSpec) -> dict[str, Any]:
    boundary = spec.permissions_boundary
    return {
        "name": spec.name,
        "description": spec.description,
        "session_duration": spec.session_duration,
        "managed_policies": list(spec.managed_policies),
        "customer_managed_policies": [[r.name, r.path] for r in spec.customer_managed_policies],
        "inline_policy": spec.inline_policy,
        "permissions_boundary": None
        if boundary is None
        else {
            "managed_policy_arn": boundary.managed_policy_arn,
            "customer_managed": None
            if boundary.customer_managed is None
            else [boundary.customer_managed.name, boundary.customer_managed.path],
        },
        "tags": [list(t) for t in spec.tags],
    }


def permission_set_from_document(document: dict[str, Any]) -> PermissionSetSpec:
    boundary_document = document["permissions_boundary"]
    boundary = None
    if boundary_document is not None:
        customer = boundary_document["customer_managed"]
        boundary = PermissionsBoundary(
            managed_policy_arn=boundary_document["managed_policy_arn"],
            customer_managed=None if customer is None else CustomerManagedPolicyRef(*customer),
        )
    return PermissionSetSpec(
        name=document["name"],
        description=document["description"],
        session_duration=document["session_duration"],
        managed_policies=tuple(document["managed_policies"]),
        customer_managed_policies=tuple(
            CustomerManagedPolicyRef(*r) for r in document["customer_managed_policies"]
        ),
        inline_policy=document["inline_policy"],
        permissions_boundary=boundary,
        tags=tuple((k, v) for k, v in document["tags"]),
    )
