"""Review reminders go through the dispatcher to every channel as one line naming the reviewer, the count,
the campaign and the deadline."""

from __future__ import annotations

from datetime import UTC, datetime

from sojourn.notify.dispatcher import Dispatcher
from sojourn.notify.events import Notification, render_text, to_json
from sojourn.notify.review_reminder import ReviewReminders


class Recording:
    name = "recording"

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def send(self, n: Notification) -> None:
        self.sent.append(n)


def test_a_reminder_reaches_the_channels_as_one_line() -> None:
    channel = Recording()
    dispatcher = Dispatcher([channel])
    remind = ReviewReminders(dispatcher)
    at, deadline = datetime(2026, 12, 4, 9, tzinfo=UTC), datetime(2026, 12, 11, 9, tzinfo=UTC)
    remind("bob", "rv-1", "Q4\nprod", 3, deadline, at)
    assert dispatcher.close(5)
    (sent,) = channel.sent
    assert sent.to == ("bob",) and sent.at == at and sent.request_id == "rv-1"
    text = render_text(sent)
    assert (
        text
        == "REVIEW: bob: 3 access review item(s) of Q4 prod (rv-1) wait for you until 2026-12-11 09:00 UTC"
    )
    assert to_json(sent)["event"] == "review_reminder"
