"""A generic webhook signed with HMAC-SHA256 over "<timestamp>.<body>", so receivers can check origin and
freshness (see docs/notifications.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx

from sojourn.notify.message import Message


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify_signature(
    secret: bytes, timestamp: str, body: bytes, header: str, now: float, tolerance: float = 300
) -> bool:
    """What a receiver does: the right key, the exact body, and not older than `tolerance` seconds."""
    try:
        fresh = abs(now - float(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(signature(secret, timestamp, body), header)


class SignedWebhook:
    name = "webhook"

    def __init__(self, url: str, secret: bytes, timeout: float = 5.0) -> None:
        self.url, self._secret, self.timeout = url, secret, timeout

    def __repr__(self) -> str:
        return f"SignedWebhook({self.url!r}, secret=***)"

    def send(self, message: Message) -> None:
        body = json.dumps(message.document(), sort_keys=True).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Sojourn-Timestamp": stamp,
            "X-Sojourn-Signature": signature(self._secret, stamp, body),
        }
        httpx.post(self.url, content=body, headers=headers, timeout=self.timeout).raise_for_status()
