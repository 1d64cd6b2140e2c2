"""The audit record of one planned change: its intent, its outcome, or what reconciling found."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sojourn.access.audit import AuditEvent
from sojourn.access.changes import (
    AssignmentChange,
    Change,
    GroupChange,
    MembershipChange,
    PermissionSetChange,
    UserChange,
)
from sojourn.access.plan import change_kind
from sojourn.access.plan_codec import change_to_document, describe_change


def change_event(
    change: Change,
    *,
    at: datetime,
    actor: str,
    reason: str,
    suffix: str = "",
    details: Mapping[str, Any],
) -> AuditEvent:
    """The record of `change` as `<kind>.<action><suffix>` (".intent", ".failed", ".reconciled", or "")."""
    document: dict[str, Any] = change_to_document(change)
    person = account = permission_set = None
    before = after = None
    if isinstance(change, AssignmentChange):
        a = change.assignment
        person = a.principal if a.principal_type == "USER" else None
        account, permission_set = a.account_id, a.permission_set
        before, after = (None, document) if change.action == "create" else (document, None)
    elif isinstance(change, PermissionSetChange):
        permission_set = change.name
        before, after = document.get("before"), document.get("after")
    elif isinstance(change, UserChange):
        person = change.user.user_name
        before, after = (None, document) if change.action == "create" else (document, None)
    elif isinstance(change, MembershipChange):
        person = change.membership.user
        before, after = (None, document) if change.action == "create" else (document, None)
    elif isinstance(change, GroupChange):
        before, after = (None, document) if change.action == "create" else (document, None)
    return AuditEvent(
        at=at,
        actor=actor,
        action=f"{change_kind(change)}.{change.action.value}{suffix}",
        reason=reason,
        target=describe_change(change),
        person=person,
        account_id=account,
        permission_set=permission_set,
        before=before,
        after=after,
        details=details,
    )
