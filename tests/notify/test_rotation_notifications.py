"""Key rotation events reach the channels grants use, as one line and a JSON document, with no secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sojourn.notify.dispatcher import Dispatcher
from sojourn.notify.events import Notification, render_text, to_json
from sojourn.notify.message import rotation_notifier
from sojourn.workflow.key_rotation import KeyRotation, Step

AT = datetime(2026, 6, 1, 12, tzinfo=UTC)


class Collect:
    name = "collect"

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def send(self, n: Notification) -> None:
        self.sent.append(n)


def test_rotation_events_are_delivered_and_rendered() -> None:
    channel = Collect()
    dispatcher = Dispatcher([channel])
    notify = rotation_notifier(dispatcher)
    rotated = KeyRotation(
        "rot-1", "ci", "prod/ci-key", Step.GRACE, AT, AT, "AKIAOLD", timedelta(days=7), new_key_id="AKIANEW"
    )
    notify("rotated", rotated)
    notify(
        "failed", KeyRotation("rot-2", "web", "s", Step.FAILED, AT, AT, "AKIAW", timedelta(0), error="boom")
    )
    assert dispatcher.close(5.0)
    first, second = channel.sent
    assert render_text(first) == "ci's access key was rotated: the new key is current, the old one inactive"
    assert render_text(second) == "FAILED: rotating web's access key: boom; the old key is kept"
    document = to_json(first)
    assert document["event"] == "key_rotation_rotated"
    assert dict(first.detail) == {
        "secret_id": "prod/ci-key",
        "step": "grace",
        "new_key_id": "AKIANEW",
        "old_key_id": "AKIAOLD",
    }
