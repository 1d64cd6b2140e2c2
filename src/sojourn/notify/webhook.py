"""A generic JSON webhook signed with HMAC-SHA256 over "<timestamp>.<body>", so a receiver can check both
origin and freshness (docs/notifications.md shows a receiver)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

from pydantic import SecretBytes

from sojourn.notify.events import Notification, to_json
from sojourn.notify.http_post import post, safe_location

TIMESTAMP_HEADER = "X-Sojourn-Timestamp"
SIGNATURE_HEADER = "X-Sojourn-Signature"
SCHEME = "v1"


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header's value: "v1=" and the hex HMAC-SHA256 of the timestamp, a dot and the body."""
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify_signature(
    secret: bytes, timestamp: str, body: bytes, header: str, now: float, tolerance: float = 300
) -> bool:
    """What a receiver does: the right key, the exact raw body, and a timestamp within `tolerance` seconds."""
    if not timestamp.isascii() or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > tolerance:
        return False
    expected = signature(secret, timestamp, body).encode()
    return hmac.compare_digest(expected, header.strip().encode("utf-8", "surrogatepass"))


def encode(n: Notification) -> bytes:
    """The exact bytes sent and signed."""
    return json.dumps(to_json(n), sort_keys=True, separators=(",", ":")).encode()


class SignedWebhook:
    """POSTs each notification's JSON document with a timestamp and its signature."""

    def __init__(
        self,
        url: str,
        secret: bytes,
        timeout: float = 5.0,
        *,
        name: str = "webhook",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not secret:
            raise ValueError("a signed webhook needs a non-empty secret")
        self.url, self.timeout, self.name, self._clock = url, timeout, name, clock
        self._secret = SecretBytes(secret)

    def __repr__(self) -> str:
        return f"SignedWebhook({self.name!r}, {safe_location(self.url)}, secret=***)"

    def send(self, n: Notification) -> None:
        body = encode(n)
        stamp = str(int(self._clock()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: signature(self._secret.get_secret_value(), stamp, body),
        }
        post(self.url, body, headers, self.timeout)
