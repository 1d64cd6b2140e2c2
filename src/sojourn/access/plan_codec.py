"""Plans to and from JSON, so a reviewed plan can be applied later exactly as it was shown."""

from __future__ import annotations

import json
from typing import Any

from sojourn.access.changes import (
    Action,
    AssignmentChange,
    Change,
    GroupChange,
    MembershipChange,
    PermissionSetChange,
    UserChange,
)
from sojourn.access.effective import AccessDelta
from sojourn.access.plan import DriftItem, Plan, change_kind
from sojourn.access.state import Assignment, GroupSpec, Membership, PrincipalType, UserSpec
from sojourn.access.state_codec import (
    permission_set_from_document,
    permission_set_to_document,
    user_to_document,
)
from sojourn.inputs.bounded_json import load_json


def change_to_document(change: Change) -> dict[str, Any]:
    document: dict[str, Any] = {"kind": change_kind(change), "action": change.action.value}
    if isinstance(change, PermissionSetChange):
        document |= {
            "name": change.name,
            "before": None if change.before is None else permission_set_to_document(change.before),
            "after": None if change.after is None else permission_set_to_document(change.after),
            "provision_to": list(change.provision_to),
        }
    elif isinstance(change, UserChange):
        document["user"] = user_to_document(change.user)
    elif isinstance(change, GroupChange):
        document["group"] = {"name": change.group.name, "description": change.group.description}
    elif isinstance(change, MembershipChange):
        document |= {"group": change.membership.group, "user": change.membership.user}
    else:
        a = change.assignment
        document |= {
            "account_id": a.account_id,
            "permission_set": a.permission_set,
            "principal_type": a.principal_type.value,
            "principal": a.principal,
        }
    return document


def change_from_document(document: dict[str, Any]) -> Change:
    action = Action(document["action"])
    kind = document["kind"]
    if kind == "permission_set":
        before, after = document["before"], document["after"]
        return PermissionSetChange(
            action,
            document["name"],
            None if before is None else permission_set_from_document(before),
            None if after is None else permission_set_from_document(after),
            tuple(document["provision_to"]),
        )
    if kind == "user":
        return UserChange(action, UserSpec(**document["user"]))
    if kind == "group":
        return GroupChange(action, GroupSpec(**document["group"]))
    if kind == "membership":
        return MembershipChange(action, Membership(document["group"], document["user"]))
    if kind == "assignment":
        return AssignmentChange(
            action,
            Assignment(
                document["account_id"],
                document["permission_set"],
                PrincipalType(document["principal_type"]),
                document["principal"],
            ),
        )
    raise ValueError(f"unknown change kind {kind!r}")


def describe_change(change: Change) -> str:
    """One line a person can read: "create assignment developer for user alice on 111111111111"."""
    if isinstance(change, PermissionSetChange):
        extra = f" (re-provision to {len(change.provision_to)} accounts)" if change.provision_to else ""
        return f"{change.action.value} permission set {change.name}{extra}"
    if isinstance(change, UserChange):
        return f"{change.action.value} user {change.user.user_name}"
    if isinstance(change, GroupChange):
        return f"{change.action.value} group {change.group.name}"
    if isinstance(change, MembershipChange):
        return f"{change.action.value} membership {change.membership.user} in {change.membership.group}"
    a = change.assignment
    return (
        f"{change.action.value} assignment {a.permission_set} for {a.principal_type.value.lower()} "
        f"{a.principal} on {a.account_id}"
    )


def change_key(change: Change) -> str:
    """A stable identity for a change, used to record which changes of a run were done."""
    return json.dumps(change_to_document(change) | {"before": None, "after": None}, sort_keys=True)


def plan_to_document(plan: Plan) -> dict[str, Any]:
    return {
        "base_fingerprint": plan.base_fingerprint,
        "changes": [change_to_document(c) for c in plan.changes],
        "drift": [{"description": d.description, "removed": d.removed} for d in plan.drift],
        "person_delta": {
            person: [
                {"sign": d.sign, "permission_set": d.permission_set, "account": d.account} for d in deltas
            ]
            for person, deltas in plan.person_delta.items()
        },
        "notes": list(plan.notes),
        "summary": dict(plan.summary),
    }


def plan_to_json(plan: Plan) -> str:
    return json.dumps(plan_to_document(plan), sort_keys=True)


def plan_from_json(text: str) -> Plan:
    document = load_json(text)
    if not isinstance(document, dict):
        raise ValueError("a plan is a JSON object")
    return plan_from_document(document)


def plan_from_document(document: dict[str, Any]) -> Plan:
    """A plan from its decoded document; KeyError or TypeError when a field is missing or wrong."""
    return Plan(
        changes=tuple(change_from_document(c) for c in document["changes"]),
        drift=tuple(DriftItem(d["description"], d["removed"]) for d in document["drift"]),
        person_delta={
            person: tuple(AccessDelta(person, d["sign"], d["permission_set"], d["account"]) for d in deltas)
            for person, deltas in document["person_delta"].items()
        },
        base_fingerprint=document["base_fingerprint"],
        notes=tuple(document["notes"]),
        summary=document["summary"],
    )
