"""The request-facing entry points the service layer and the CLI use: a Notification built from a
just-in-time request, and channels from SOJOURN_*."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from sojourn.notify.dispatcher import Dispatcher
from sojourn.notify.email import SmtpMail
from sojourn.notify.events import NotificationKind
from sojourn.notify.message import from_request
from sojourn.notify.settings import channels_from_environment
from sojourn.notify.webhook import SignedWebhook
from sojourn.workflow.grant_request import Decision, GrantRequest, State
from tests.notify.receivers import Receiver, receiver
from tests.notify.samples import SECRET

__all__ = ["receiver"]  # tests/e2e import the fixture from here

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
REQUEST = GrantRequest(
    "r1",
    "alice",
    "prod-admin",
    ("111111111111",),
    timedelta(hours=1),
    "INC-4711 failover",
    T0,
    T0 + timedelta(days=1),
    frozenset({"erin"}),
    ticket="INC-4711",
    state=State.ACTIVE,
    decisions=(Decision("erin", True, "go ahead", T0 + timedelta(minutes=3)),),
    starts_at=T0 + timedelta(minutes=4),
    ends_at=T0 + timedelta(hours=1, minutes=4),
)


def test_a_request_becomes_a_notification_with_who_and_when() -> None:
    approved = from_request(NotificationKind.APPROVED, REQUEST, ("bob",))
    assert (approved.actor, approved.at, approved.to) == ("erin", T0 + timedelta(minutes=3), ("bob",))
    assert approved.detail["comment"] == "go ahead" and approved.detail["ticket"] == "INC-4711"
    granted = from_request("granted", REQUEST)
    assert (granted.actor, granted.at, granted.ends_at) == (None, REQUEST.starts_at, REQUEST.ends_at)
    asked = from_request("request", REQUEST)
    assert (asked.actor, asked.at, asked.reason) == ("alice", T0, "INC-4711 failover")


def test_a_closed_request_names_who_closed_it_and_why() -> None:
    closed = replace(
        REQUEST,
        state=State.FAILED,
        closed_at=T0 + timedelta(hours=2),
        closed_by="sojourn",
        close_reason="AccessDenied on 111111111111",
    )
    failed = from_request("failure", closed)
    assert failed.at == T0 + timedelta(hours=2) and failed.detail["error"] == "AccessDenied on 111111111111"
    assert from_request("revoked", closed).actor == "sojourn"
    late = T0 + timedelta(days=3)
    assert from_request("extended", REQUEST, now=late).at == late  # no time on record for an extension


def test_the_older_names_still_deliver(receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    dispatcher = Dispatcher([SignedWebhook(url, SECRET)])
    dispatcher.deliver_later(from_request("break_glass", REQUEST, ("security",)))
    assert dispatcher.close(2)
    document = json.loads(state.bodies[0][1])
    assert document["event"] == "break_glass" and document["to"] == ["security"]
    assert document["request"]["person"] == "alice"


def test_channels_from_environment() -> None:
    with pytest.raises(ValueError, match="SOJOURN_WEBHOOK_SECRET"):
        channels_from_environment({"SOJOURN_WEBHOOK_URL": "http://x"})
    channels = channels_from_environment(
        {
            "SOJOURN_WEBHOOK_URL": "https://hooks.example.com/in",
            "SOJOURN_WEBHOOK_SECRET": "s",
            "SOJOURN_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/x",
            "SOJOURN_SMTP_HOST": "smtp.example.com",
            "SOJOURN_SMTP_PORT": "587",
            "SOJOURN_SMTP_TO": "a@b, c@d",
            "SOJOURN_SMTP_STARTTLS": "1",
            "SOJOURN_SMTP_USERNAME": "u",
            "SOJOURN_SMTP_PASSWORD": "pw-in-env",
        }
    )
    assert [c.name for c in channels] == ["webhook", "slack", "email"]
    mail = channels[2]
    assert isinstance(mail, SmtpMail) and (mail.port, mail.recipients, mail.starttls) == (
        587,
        ("a@b", "c@d"),
        True,
    )
    assert "pw-in-env" not in repr(mail)
