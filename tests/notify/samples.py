"""Notifications the tests send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sojourn.notify.events import Notification, NotificationKind

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SECRET = b"webhook-secret"


def sample(kind: str = NotificationKind.GRANTED, **changes: object) -> Notification:
    values: dict[str, object] = {
        "kind": kind,
        "request_id": "r1",
        "person": "alice",
        "permission_set": "prod-admin",
        "accounts": ("111111111111",),
        "actor": "erin",
        "reason": "INC-4711 failover",
        "at": T0,
        "ends_at": T0 + timedelta(hours=1),
    }
    return Notification(**(values | changes))
