"""Access review reminders through the same channels as just-in-time events (webhook, Slack, mail)."""

from __future__ import annotations

from datetime import datetime

from sojourn.notify.dispatcher import Dispatcher
from sojourn.notify.events import REVIEW_REMINDER, Notification


class ReviewReminders:
    """Implements the review reminder port: one notification per reviewer, queued on the dispatcher."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self._dispatcher = dispatcher

    def __call__(
        self, reviewer: str, campaign_id: str, name: str, count: int, deadline: datetime, at: datetime, /
    ) -> None:
        message = (
            f"{count} access review item(s) of {name} ({campaign_id}) wait for you "
            f"until {deadline:%Y-%m-%d %H:%M} UTC"
        )
        self._dispatcher.deliver_later(
            Notification(
                kind=REVIEW_REMINDER,
                request_id=campaign_id,
                person=reviewer,
                permission_set="",
                accounts=(),
                actor=None,
                reason=None,
                at=at,
                ends_at=deadline,
                detail={"message": f"{reviewer}: {message}", "campaign": campaign_id, "count": str(count)},
                to=(reviewer,),
            )
        )
