"""OIDC bearer tokens checked against a real local issuer: the valid ones pass, every forgery fails."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sojourn.api.identity import Caller, Role, Unauthenticated
from sojourn.api.oidc import OidcSettings, OidcVerifier
from tests.api.local_oidc import AUDIENCE, NOW, FakeTime, LocalIssuer, public_jwk

Issuer = LocalIssuer
Verifier = OidcVerifier


def refused(verifier: OidcVerifier, token: str, reason: str) -> Unauthenticated:
    with pytest.raises(Unauthenticated, match=reason) as caught:
        verifier.verify(token)
    assert token not in str(caught.value)
    return caught.value


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())


def test_a_valid_rsa_token_names_the_caller_with_mapped_roles(
    oidc_issuer: Issuer, oidc_verifier: Verifier
) -> None:
    caller = oidc_verifier.verify(oidc_issuer.sign())
    assert caller == Caller(
        subject="user-42", user_name="ada", roles=frozenset({Role.REQUESTER, Role.APPROVER}), via="oidc"
    )
    assert caller.has_role(Role.APPROVER)
    assert not caller.has_role(Role.ADMIN)


def test_a_valid_ec_token_is_accepted(oidc_issuer: Issuer, oidc_verifier: Verifier) -> None:
    token = oidc_issuer.sign(oidc_issuer.claims(groups=["aws-auditors"]), key="ec")
    assert oidc_verifier.verify(token).roles == {"auditor"}


def test_a_single_group_string_and_no_groups_are_understood(
    oidc_issuer: Issuer, oidc_verifier: Verifier
) -> None:
    one = oidc_issuer.sign(oidc_issuer.claims(groups="aws-approvers"))
    assert oidc_verifier.verify(one).roles == {"approver"}
    assert oidc_verifier.verify(oidc_issuer.sign(oidc_issuer.claims(groups=None))).roles == frozenset()


def test_an_expired_token_is_refused_after_the_leeway(
    oidc_issuer: Issuer, oidc_verifier: Verifier, fake_time: FakeTime
) -> None:
    token = oidc_issuer.sign()
    fake_time.advance(300 + 29)
    assert oidc_verifier.verify(token).user_name == "ada"
    fake_time.advance(1)
    refused(oidc_verifier, token, "expired")


def test_a_token_not_yet_valid_is_refused(oidc_issuer: Issuer, oidc_verifier: Verifier) -> None:
    refused(oidc_verifier, oidc_issuer.sign(oidc_issuer.claims(nbf=int(NOW) + 31)), "not valid yet")
    assert oidc_verifier.verify(oidc_issuer.sign(oidc_issuer.claims(nbf=int(NOW) + 29))).user_name == "ada"


def test_a_token_issued_in_the_future_is_refused(oidc_issuer: Issuer, oidc_verifier: Verifier) -> None:
    refused(oidc_verifier, oidc_issuer.sign(oidc_issuer.claims(iat=int(NOW) + 120)), "issued in the future")


def test_a_token_for_another_audience_is_refused(oidc_issuer: Issuer, oidc_verifier: Verifier) -> None:
    refused(oidc_verifier, oidc_issuer.sign(oidc_issuer.claims(aud="some-other-app")), "audience")
    both = oidc_issuer.sign(oidc_issuer.claims(aud=["other", AUDIENCE]))
    assert oidc_verifier.verify(both).user_name == "ada"


def test_a_token_from_another_issuer_is_refused(oidc_issuer: Issuer, oidc_verifier: Verifier) -> None:
    refused(oidc_verifier, oidc_issuer.sign(oidc_issuer.claims(iss="https://evil.example")), "another issuer")


@pytest.mark.parametrize("claim", ["sub", "exp", "iat", "aud", "iss"])
def test_a_token_missing_a_required_claim_is_refused(
    oidc_issuer: Issuer, oidc_verifier: Verifier, claim: str
) -> None:
    token = oidc_issuer.sign(oidc_issuer.claims(**{claim: None}))
    refused(oidc_verifier, token, f"lacks the '{claim}' claim")


def test_malformed_claims_are_refused(oidc_issuer: Issuer, oidc_verifier: Verifier) -> None:
    refused(
        oidc_verifier, oidc_issuer.sign(oidc_issuer.claims(preferred_username=None)), "preferred_username"
    )
    refused(oidc_verifier, oidc_issuer.sign(oidc_issuer.claims(groups={"a": 1})), "malformed 'groups'")
    refused(oidc_verifier, oidc_issuer.sign(oidc_issuer.claims(nbf="soon")), "malformed 'nbf'")
    refused(oidc_verifier, oidc_issuer.sign(oidc_issuer.claims(exp=True)), "exp")


def test_a_token_signed_by_another_key_is_refused(oidc_issuer: Issuer, oidc_verifier: Verifier) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(oidc_issuer.claims(), other, algorithm="RS256", headers={"kid": "rsa-1"})
    refused(oidc_verifier, forged, "signature is not valid")


def test_a_token_with_its_signature_stripped_is_refused(oidc_issuer: Issuer, oidc_verifier: Verifier) -> None:
    header, payload, _ = oidc_issuer.sign().split(".")
    refused(oidc_verifier, f"{header}.{payload}.", "not valid")


def test_a_tampered_payload_is_refused(oidc_issuer: Issuer, oidc_verifier: Verifier) -> None:
    header, _, signature = oidc_issuer.sign().split(".")
    payload = unsigned({}, oidc_issuer.claims(groups=["aws-admins", "aws-approvers"])).split(".")[1]
    refused(oidc_verifier, f"{header}.{payload}.{signature}", "signature is not valid")


def test_alg_none_is_refused(oidc_issuer: Issuer, oidc_verifier: Verifier) -> None:
    token = unsigned({"alg": "none", "typ": "JWT", "kid": "rsa-1"}, oidc_issuer.claims()) + "."
    refused(oidc_verifier, token, "algorithm that is not allowed")


def test_hs256_signed_with_the_public_key_is_refused(oidc_issuer: Issuer, oidc_verifier: Verifier) -> None:
    """The algorithm-confusion attack: HMAC keyed with the RSA public key the issuer publishes."""
    pem = oidc_issuer.rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = unsigned({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, oidc_issuer.claims())
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    refused(oidc_verifier, f"{signing_input}.{b64(signature)}", "algorithm that is not allowed")


def test_a_header_algorithm_that_does_not_fit_the_key_is_refused(
    oidc_issuer: Issuer, oidc_verifier: Verifier
) -> None:
    refused(oidc_verifier, oidc_issuer.sign(key="ec", kid="rsa-1"), "does not match the issuer's key")


def test_a_token_without_kid_is_refused(oidc_issuer: Issuer, oidc_verifier: Verifier) -> None:
    token = jwt.encode(oidc_issuer.claims(), oidc_issuer.rsa_key, algorithm="RS256")
    refused(oidc_verifier, token, "kid")


def test_unknown_kid_refetches_once_then_fails_and_is_rate_limited(
    oidc_issuer: Issuer, oidc_verifier: Verifier, fake_time: FakeTime
) -> None:
    oidc_verifier.verify(oidc_issuer.sign())
    assert oidc_issuer.jwks_fetches == 1
    fake_time.advance(61)
    claims = oidc_issuer.claims(iat=int(fake_time.t), exp=int(fake_time.t) + 300)
    refused(oidc_verifier, oidc_issuer.sign(claims, kid="never-published"), "does not publish")
    assert oidc_issuer.jwks_fetches == 2
    refused(oidc_verifier, oidc_issuer.sign(claims, kid="another-made-up-kid"), "does not publish")
    assert oidc_issuer.jwks_fetches == 2
    assert oidc_verifier.verify(oidc_issuer.sign(claims)).user_name == "ada"
    assert oidc_issuer.jwks_fetches == 2


def test_a_rotated_key_is_found_by_refetching(
    oidc_issuer: Issuer, oidc_verifier: Verifier, fake_time: FakeTime
) -> None:
    oidc_verifier.verify(oidc_issuer.sign())
    new_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    oidc_issuer.published = [public_jwk(new_key, "rsa-2", "RS256")]
    fake_time.advance(61)
    claims = oidc_issuer.claims(iat=int(fake_time.t), exp=int(fake_time.t) + 300)
    assert oidc_verifier.verify(jwt.encode(claims, new_key, "RS256", {"kid": "rsa-2"})).user_name == "ada"
    assert oidc_issuer.jwks_fetches == 2


def test_cached_keys_are_refreshed_after_their_maximum_age(
    oidc_issuer: Issuer, oidc_verifier: Verifier, fake_time: FakeTime
) -> None:
    oidc_verifier.verify(oidc_issuer.sign())
    oidc_issuer.published = oidc_issuer.published[1:]  # the RSA key is withdrawn
    fake_time.advance(3600)
    claims = oidc_issuer.claims(iat=int(fake_time.t), exp=int(fake_time.t) + 300)
    refused(oidc_verifier, oidc_issuer.sign(claims), "does not publish")
    assert oidc_issuer.jwks_fetches == 2


def test_symmetric_keys_in_the_jwks_are_ignored(oidc_issuer: Issuer, oidc_verifier: Verifier) -> None:
    oidc_issuer.published = [*oidc_issuer.published, {"kty": "oct", "kid": "shared", "k": b64(b"s" * 32)}]
    token = jwt.encode(
        oidc_issuer.claims(), oidc_issuer.rsa_key, algorithm="RS256", headers={"kid": "shared"}
    )
    refused(oidc_verifier, token, "does not publish")


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30", "eyJ.eyJ.sig", "x" * 20_000, "a.b.c.d.e"],
)
def test_garbled_tokens_are_refused(oidc_verifier: Verifier, token: str) -> None:
    with pytest.raises(Unauthenticated) as caught:
        oidc_verifier.verify(token)
    if token:
        assert token not in caught.value.reason


def test_an_unreachable_issuer_refuses_and_is_not_hammered(
    oidc_settings: OidcSettings, fake_time: FakeTime
) -> None:
    calls = 0

    def down(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503)

    token = unsigned({"alg": "RS256", "kid": "rsa-1"}, {"sub": "x"}) + ".c2ln"
    with httpx.Client(transport=httpx.MockTransport(down)) as http:
        verifier = OidcVerifier(oidc_settings, http=http, now=fake_time)
        for _ in range(3):
            refused(verifier, token, "unavailable")
        assert calls == 1
        fake_time.advance(61)
        refused(verifier, token, "unavailable")
        assert calls == 2


def test_a_discovery_document_naming_another_issuer_is_not_trusted(
    oidc_issuer: Issuer, oidc_verifier: Verifier
) -> None:
    oidc_issuer.discovery = {"issuer": "https://evil.example", "jwks_uri": oidc_issuer.url + "/jwks"}
    refused(oidc_verifier, oidc_issuer.sign(), "unavailable")
    assert oidc_issuer.jwks_fetches == 0


def test_settings_refuse_unsafe_configuration(oidc_issuer: Issuer) -> None:
    url = oidc_issuer.url
    with pytest.raises(ValueError, match="https"):
        OidcSettings(issuer="http://idp.example", audience=AUDIENCE)
    for alg in ("none", "HS256"):
        with pytest.raises(ValueError, match="asymmetric"):
            OidcSettings(issuer=url, audience=AUDIENCE, algorithms=(alg,))
    with pytest.raises(ValueError, match="unknown role"):
        OidcSettings(issuer=url, audience=AUDIENCE, role_map={"g": "superuser"})
    with pytest.raises(ValueError, match="audience"):
        OidcSettings(issuer=url, audience="")


def test_only_the_configured_algorithms_are_accepted(oidc_issuer: Issuer, fake_time: FakeTime) -> None:
    oidc_issuer.reset()
    settings = OidcSettings(issuer=oidc_issuer.url, audience=AUDIENCE, algorithms=("RS256",))
    with httpx.Client() as http:
        verifier = OidcVerifier(settings, http=http, now=fake_time)
        refused(verifier, oidc_issuer.sign(key="ec"), "algorithm that is not allowed")
        assert verifier.verify(oidc_issuer.sign()).user_name == "ada"
