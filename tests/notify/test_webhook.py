"""The signed webhook against a real HTTP server: the signature verifies only with the right secret, the
exact body and a fresh timestamp."""

from __future__ import annotations

import json

import pytest

from sojourn.notify.http_post import DeliveryError
from sojourn.notify.webhook import SignedWebhook, signature, verify_signature
from tests.notify.receivers import Receiver
from tests.notify.samples import SECRET, sample

STAMP = 1_800_000_000


def test_the_receiver_verifies_the_signature_and_rejects_tampering(receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    SignedWebhook(url, SECRET, clock=lambda: STAMP + 0.7).send(sample("break_glass"))
    headers, body = state.bodies[0]
    stamp, header = headers["x-sojourn-timestamp"], headers["x-sojourn-signature"]
    assert stamp == str(STAMP) and header.startswith("v1=") and len(header) == 3 + 64
    assert headers["content-type"] == "application/json"
    assert verify_signature(SECRET, stamp, body, header, now=STAMP + 299)
    assert not verify_signature(b"wrong-secret", stamp, body, header, now=STAMP)
    assert not verify_signature(SECRET, stamp, body.replace(b"alice", b"mallo"), header, now=STAMP)
    assert not verify_signature(SECRET, str(STAMP + 1), body, header, now=STAMP)  # timestamp is signed
    assert not verify_signature(SECRET, stamp, body, header, now=STAMP + 301)  # stale
    assert not verify_signature(SECRET, stamp, body, header, now=STAMP - 301)  # from the future
    document = json.loads(body)
    assert document["event"] == "break_glass" and document["request"]["person"] == "alice"


@pytest.mark.parametrize("stamp", ["", "abc", "1.5", "-1", "١٢٣", "nan"])
def test_malformed_timestamps_are_refused(stamp: str) -> None:
    assert not verify_signature(SECRET, stamp, b"{}", signature(SECRET, stamp, b"{}"), now=0)


def test_a_malformed_header_is_refused_without_raising() -> None:
    stamp = str(STAMP)
    for header in ["", "v1=", "v1=zz", "v1=\udcff" + "0" * 63, "é" * 67]:
        assert not verify_signature(SECRET, stamp, b"{}", header, now=STAMP)


def test_a_refusing_receiver_raises_an_error_without_the_url(receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    state.fail_first, state.fail_status = 1, 403
    with pytest.raises(DeliveryError) as refused:
        SignedWebhook(url, SECRET).send(sample())
    assert refused.value.permanent and str(refused.value) == "HTTP 403: receiver says no"


def test_the_secret_stays_out_of_repr_and_an_empty_one_is_refused() -> None:
    hook = SignedWebhook("https://hooks.example.com/in", SECRET)
    assert "webhook-secret" not in repr(hook) and "hooks.example.com" in repr(hook)
    with pytest.raises(ValueError, match="secret"):
        SignedWebhook("https://hooks.example.com/in", b"")
