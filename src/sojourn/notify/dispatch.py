"""Deliver each message to every channel, retrying each on its own; never raise, never block a caller
that hands the message over with `deliver_later` (revocation does)."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from sojourn.notify.mail import SmtpMail
from sojourn.notify.message import Message
from sojourn.notify.slack import SlackWebhook
from sojourn.notify.webhook import SignedWebhook

log = logging.getLogger("sojourn.notify")


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> None: ...


@dataclass(frozen=True, slots=True)
class Delivery:
    channel: str
    delivered: bool
    attempts: int
    error: str = ""


class Dispatcher:
    def __init__(
        self,
        channels: Sequence[Channel],
        attempts: int = 3,
        backoff: Sequence[float] = (0.5, 2.0),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.channels, self.attempts, self.backoff, self.sleep = list(channels), attempts, backoff, sleep
        self._queue: queue.Queue[Message | None] = queue.Queue(maxsize=10_000)
        self._thread: threading.Thread | None = None

    def deliver(self, message: Message) -> list[Delivery]:
        return [self._one(channel, message) for channel in self.channels]

    def _one(self, channel: Channel, message: Message) -> Delivery:
        error = ""
        for attempt in range(1, self.attempts + 1):
            try:
                channel.send(message)
                return Delivery(channel.name, True, attempt)
            except Exception as failure:  # any channel failure is retried, then reported, never raised
                error = f"{type(failure).__name__}: {failure}"
                if attempt < self.attempts:
                    self.sleep(self.backoff[min(attempt - 1, len(self.backoff) - 1)])
        log.error(
            "notification %s for %s not delivered to %s: %s",
            message.kind,
            message.request.id,
            channel.name,
            error,
        )
        return Delivery(channel.name, False, self.attempts, error)

    def deliver_later(self, message: Message) -> None:
        """Queue and return at once; a background thread delivers."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._drain, daemon=True, name="sojourn-notify")
            self._thread.start()
        try:
            self._queue.put_nowait(message)
        except queue.Full:
            log.error("notification queue full; %s for %s dropped", message.kind, message.request.id)

    def _drain(self) -> None:
        while (message := self._queue.get()) is not None:
            self.deliver(message)
            self._queue.task_done()

    def close(self, timeout: float = 10.0) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)


def channels_from_environment(env: Mapping[str, str] = os.environ) -> list[Channel]:
    """SOJOURN_WEBHOOK_URL + SOJOURN_WEBHOOK_SECRET, SOJOURN_SLACK_WEBHOOK_URL, SOJOURN_SMTP_HOST/PORT/FROM/TO
    (comma-separated), SOJOURN_SMTP_STARTTLS, SOJOURN_SMTP_USERNAME/PASSWORD."""
    channels: list[Channel] = []
    if env.get("SOJOURN_WEBHOOK_URL"):
        secret = env.get("SOJOURN_WEBHOOK_SECRET", "")
        if not secret:
            raise ValueError("SOJOURN_WEBHOOK_URL needs SOJOURN_WEBHOOK_SECRET to sign with")
        channels.append(SignedWebhook(env["SOJOURN_WEBHOOK_URL"], secret.encode()))
    if env.get("SOJOURN_SLACK_WEBHOOK_URL"):
        channels.append(SlackWebhook(env["SOJOURN_SLACK_WEBHOOK_URL"]))
    if env.get("SOJOURN_SMTP_HOST"):
        channels.append(
            SmtpMail(
                env["SOJOURN_SMTP_HOST"],
                int(env.get("SOJOURN_SMTP_PORT", "25")),
                env.get("SOJOURN_SMTP_FROM", "sojourn@localhost"),
                tuple(a.strip() for a in env.get("SOJOURN_SMTP_TO", "").split(",") if a.strip()),
                starttls=env.get("SOJOURN_SMTP_STARTTLS", "") == "1",
                username=env.get("SOJOURN_SMTP_USERNAME"),
                password=env.get("SOJOURN_SMTP_PASSWORD"),
            )
        )
    return channels
