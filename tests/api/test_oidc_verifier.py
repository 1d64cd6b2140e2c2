"""OpenID Connect verification against a local issuer: what is accepted, what is refused, and how often the
issuer's keys are fetched."""

from __future__ import annotations

import base64
import hmac
import json
import time
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization

from sojourn.api.auth_oidc import OidcSettings, OidcVerifier
from sojourn.api.callers import Role, Unauthenticated
from tests.api.issuer import AUDIENCE, Issuer, local_issuer


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with local_issuer() as found:
        yield found


def verifier(issuer: Issuer, **extra: object) -> OidcVerifier:
    return OidcVerifier(OidcSettings(issuer.url, AUDIENCE, role_map={"sre": "approver"}, **extra))  # type: ignore[arg-type]


def refused(check: OidcVerifier, token: str, reason: str) -> None:
    with pytest.raises(Unauthenticated, match=reason) as raised:
        check.verify(token)
    assert token not in str(raised.value)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_valid_token_maps_groups_to_roles(issuer: Issuer) -> None:
    caller = verifier(issuer).verify(issuer.token("erin", ["sre", "unknown"]))
    assert (
        caller.user_name == "erin"
        and caller.roles == {Role.REQUESTER, Role.APPROVER}
        and caller.via == "oidc"
    )


def test_expired_future_foreign_and_forged_tokens_are_refused(issuer: Issuer) -> None:
    check = verifier(issuer)
    refused(check, issuer.token("a", [], lifetime=-120), "expired")
    refused(check, issuer.token("a", [], nbf=int(time.time()) + 600), "not valid yet")
    refused(check, issuer.token("a", [], aud="someone-else"), "someone else")
    refused(check, issuer.token("a", [], iss="https://evil.example"), "someone else")
    refused(check, issuer.token("a", [], key=issuer.other), "signature")
    refused(check, "not-a-jwt", "not a JWT")


def test_none_and_hmac_with_the_public_key_are_refused(issuer: Issuer) -> None:
    check = verifier(issuer)
    claims = {"iss": issuer.url, "aud": AUDIENCE, "iat": int(time.time()), "exp": int(time.time()) + 300}
    claims["preferred_username"] = "mallory"
    unsigned = f"{b64(json.dumps({'alg': 'none', 'kid': 'k1'}).encode())}.{b64(json.dumps(claims).encode())}."
    refused(check, unsigned, "algorithm")
    public = issuer.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    head = b64(json.dumps({"alg": "HS256", "kid": "k1", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    mac = hmac.new(public, f"{head}.{body}".encode(), "sha256").digest()
    refused(check, f"{head}.{body}.{b64(mac)}", "algorithm")


def test_unknown_key_ids_refetch_at_most_once_a_minute(issuer: Issuer) -> None:
    clock = [1000.0]
    check = OidcVerifier(OidcSettings(issuer.url, AUDIENCE), monotonic=lambda: clock[0])
    check.verify(issuer.token("a", []))
    assert check.fetches == 1
    for _ in range(5):
        refused(check, issuer.token("a", [], kid="rotated"), "no key")
    assert check.fetches == 1  # the keys were fetched less than a minute ago: no refetch for forged ids
    clock[0] += 61
    refused(check, issuer.token("a", [], kid="rotated"), "no key")
    assert check.fetches == 2


def test_the_issuer_must_be_https_unless_on_loopback() -> None:
    check = OidcVerifier(OidcSettings("http://idp.example.com", AUDIENCE))
    with pytest.raises(Unauthenticated, match="https"):
        check.verify(Issuer("http://idp.example.com").token("a", []))
