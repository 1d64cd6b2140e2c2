"""Notifications to real local receivers: a signed webhook, a Slack-compatible hook and an SMTP server."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from sojourn.notify.dispatch import Dispatcher, channels_from_environment
from sojourn.notify.mail import SmtpMail
from sojourn.notify.message import Message
from sojourn.notify.slack import SlackWebhook
from sojourn.notify.webhook import SignedWebhook, verify_signature
from sojourn.workflow.grant_request import GrantRequest, State

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
    state=State.APPROVED,
    source="break-glass",
    break_glass=True,
)
SECRET = b"webhook-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Receiver:
    def __init__(self) -> None:
        self.bodies: list[tuple[dict[str, str], bytes]] = []
        self.fail_first = 0
        self.delay = 0.0
        self.arrived = threading.Event()


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(state.delay)
            if state.fail_first > 0:
                state.fail_first -= 1
                self.send_response(500)
                self.end_headers()
                return
            state.bodies.append(({k.lower(): v for k, v in self.headers.items()}, body))
            state.arrived.set()
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_signed_webhook_verifies_and_tampering_fails(receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    SignedWebhook(url, SECRET).send(Message("break_glass", REQUEST))
    headers, body = state.bodies[0]
    stamp, header = headers["x-sojourn-timestamp"], headers["x-sojourn-signature"]
    now = float(stamp)
    assert verify_signature(SECRET, stamp, body, header, now)
    assert not verify_signature(b"other", stamp, body, header, now)
    assert not verify_signature(SECRET, stamp, body.replace(b"alice", b"mallo"), header, now)
    assert not verify_signature(SECRET, stamp, body, header, now + 600)
    document = json.loads(body)
    assert document["event"] == "break_glass" and "BREAK-GLASS" in document["text"]
    assert document["request"]["person"] == "alice"


def test_slack_payload(receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    SlackWebhook(url).send(Message("break_glass", REQUEST))
    payload = json.loads(state.bodies[0][1])
    assert payload["text"].startswith(":rotating_light: BREAK-GLASS")
    assert any("INC-4711" in field["text"] for field in payload["blocks"][1]["fields"])


def test_email_reaches_an_smtp_server_and_the_password_stays_secret(caplog: pytest.LogCaptureFixture) -> None:
    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        channel = SmtpMail(
            "127.0.0.1",
            port,
            "sojourn@example.com",
            ("sec@example.com",),
            password="hunter2",
        )
        caplog.set_level(logging.DEBUG)
        channel.send(Message("granted", REQUEST))
    finally:
        controller.stop()
    assert received[0].rcpt_tos == ["sec@example.com"]
    content = received[0].content.decode()
    assert "Subject: [Sojourn] granted: alice prod-admin" in content and "INC-4711" in content
    assert "hunter2" not in repr(channel) and "hunter2" not in caplog.text


def test_failures_are_retried_then_reported_without_raising(receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    pauses: list[float] = []
    state.fail_first = 2
    results = Dispatcher([SignedWebhook(url, SECRET)], attempts=3, sleep=pauses.append).deliver(
        Message("revoked", REQUEST)
    )
    assert results[0].delivered and results[0].attempts == 3 and pauses == [0.5, 2.0]
    state.fail_first = 10
    failed = Dispatcher([SignedWebhook(url, SECRET)], attempts=2, sleep=pauses.append).deliver(
        Message("revoked", REQUEST)
    )
    assert not failed[0].delivered and "500" in failed[0].error


def test_delivery_in_the_background_never_blocks(receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    state.delay = 1.0
    dispatcher = Dispatcher([SignedWebhook(url, SECRET)])
    started = time.perf_counter()
    dispatcher.deliver_later(Message("revoked", REQUEST))
    handed_over = time.perf_counter() - started
    assert state.arrived.wait(5)
    dispatcher.close()
    assert handed_over < state.delay  # the caller did not wait for the slow receiver


def test_channels_from_environment_need_a_secret() -> None:
    with pytest.raises(ValueError, match="SECRET"):
        channels_from_environment({"SOJOURN_WEBHOOK_URL": "http://x"})
    channels = channels_from_environment(
        {"SOJOURN_SLACK_WEBHOOK_URL": "http://s", "SOJOURN_SMTP_HOST": "h", "SOJOURN_SMTP_TO": "a@b, c@d"}
    )
    assert [c.name for c in channels] == ["slack", "email"]
