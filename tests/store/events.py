"""Audit events for the store tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sojourn.access.audit import AuditEvent

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def event(
    minute: int,
    person: str = "alice",
    account: str = "111111111111",
    action: str = "assignment.create",
    **extra: Any,
) -> AuditEvent:
    return AuditEvent(
        at=T0 + timedelta(minutes=minute),
        actor="admin",
        action=action,
        reason="INC-1",
        target=f"t{minute}",
        person=person,
        account_id=account,
        permission_set="prod-admin",
        after={"minute": minute},
        **extra,
    )
