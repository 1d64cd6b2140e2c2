"""Retries per channel with the injected backoff, failures as values, and background delivery that never
makes the caller (a revocation) wait."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from sojourn.notify.dispatcher import Dispatcher
from sojourn.notify.events import Notification
from sojourn.notify.slack import SlackWebhook
from sojourn.notify.webhook import SignedWebhook, verify_signature
from tests.notify.receivers import Receiver
from tests.notify.samples import SECRET, sample


@contextmanager
def refusing_port() -> Iterator[int]:
    """A port on 127.0.0.1 that is bound but not listening, so a connection is refused."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield int(bound.getsockname()[1])


@dataclass
class Scripted:
    """A channel that fails `failures` times with `error`, and can block until released."""

    name: str = "scripted"
    failures: int = 0
    error: Exception = field(default_factory=lambda: RuntimeError("down"))
    release: threading.Event | None = None
    started: threading.Event = field(default_factory=threading.Event)
    sent: list[Notification] = field(default_factory=list)

    def send(self, n: Notification) -> None:
        self.started.set()
        if self.release is not None:
            self.release.wait(5)
        if self.failures > 0:
            self.failures -= 1
            raise self.error
        self.sent.append(n)


def test_a_receiver_failing_twice_gets_it_on_the_third_attempt(receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    state.fail_first = 2
    pauses: list[float] = []
    results = Dispatcher([SignedWebhook(url, SECRET)], sleep=pauses.append).deliver(sample("revoked"))
    assert [(r.channel, r.delivered, r.attempts, r.error) for r in results] == [("webhook", True, 3, None)]
    assert pauses == [0.5, 2] and state.requests == 3
    headers, body = state.bodies[0]
    stamp = headers["x-sojourn-timestamp"]
    assert verify_signature(SECRET, stamp, body, headers["x-sojourn-signature"], float(stamp))


def test_a_receiver_that_always_fails_gives_a_failure_result_without_secrets(
    receiver: tuple[Receiver, str], caplog: pytest.LogCaptureFixture
) -> None:
    state, url = receiver
    state.fail_first = 100
    pauses: list[float] = []
    channels = [SlackWebhook(url), SignedWebhook(url, SECRET)]
    results = Dispatcher(channels, sleep=pauses.append).deliver(sample("revoked"))
    assert [(r.delivered, r.attempts) for r in results] == [(False, 4), (False, 4)]
    assert pauses == [0.5, 2, 8] * 2 and state.requests == 8
    assert results[0].error == "DeliveryError: HTTP 500: receiver says no"
    for shown in [caplog.text, repr(results), repr(channels)]:
        assert "xoxsecretpath" not in shown and SECRET.decode() not in shown
    assert "slack: revoked r1 not delivered after 4 attempt(s)" in caplog.text


def test_a_permanent_refusal_is_not_retried(receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    state.fail_first, state.fail_status = 100, 404
    pauses: list[float] = []
    [result] = Dispatcher([SlackWebhook(url)], sleep=pauses.append).deliver(sample())
    assert (result.delivered, result.attempts, pauses) == (False, 1, [])


def test_an_unreachable_receiver_and_a_raising_channel_do_not_stop_the_others() -> None:
    with refusing_port() as port:
        unreachable = SlackWebhook(f"http://127.0.0.1:{port}/hooks/xoxsecretpath", timeout=1)
        broken = Scripted("broken", failures=100, error=KeyError("boom"))
        fine = Scripted("fine", failures=1)
        results = Dispatcher([unreachable, broken, fine], attempts=2, sleep=lambda _: None).deliver(sample())
    assert [(r.channel, r.delivered, r.attempts) for r in results] == [
        ("slack", False, 2),
        ("broken", False, 2),
        ("fine", True, 2),
    ]
    assert results[0].error is not None and results[0].error.startswith("DeliveryError: ConnectError")
    assert "xoxsecretpath" not in results[0].error
    assert results[1].error == "KeyError: 'boom'"


def test_deliver_later_returns_at_once_while_the_receiver_is_still_busy(
    receiver: tuple[Receiver, str],
) -> None:
    state, url = receiver
    state.hold = threading.Event()
    dispatcher = Dispatcher([SignedWebhook(url, SECRET)])
    started = time.perf_counter()
    queued = dispatcher.deliver_later(sample("revoked"))
    handed_over = time.perf_counter() - started
    assert queued and handed_over < 0.1
    assert state.entered.wait(2)  # the background thread is inside the receiver...
    assert not state.arrived.is_set()  # ...which has not answered yet
    state.hold.set()
    assert dispatcher.close(2)
    assert state.arrived.is_set() and json.loads(state.bodies[0][1])["event"] == "revoked"


def test_the_queue_is_bounded_and_close_drains_it(caplog: pytest.LogCaptureFixture) -> None:
    channel = Scripted(release=threading.Event())
    dispatcher = Dispatcher([channel], queue_size=1)
    assert dispatcher.deliver_later(sample(request_id="first"))
    assert channel.started.wait(2)  # the thread holds "first"; the queue is empty again
    assert dispatcher.deliver_later(sample(request_id="second"))
    assert not dispatcher.deliver_later(sample(request_id="dropped"))
    assert "queue full; granted dropped dropped" in caplog.text
    channel.release.set()
    assert dispatcher.close(2)
    assert [n.request_id for n in channel.sent] == ["first", "second"]
    assert not dispatcher.deliver_later(sample(request_id="late"))
    assert dispatcher.close(0.1)


def test_close_without_any_work_and_invalid_attempts() -> None:
    assert Dispatcher([]).close(0.1)
    with pytest.raises(ValueError, match="attempts"):
        Dispatcher([], attempts=0)
