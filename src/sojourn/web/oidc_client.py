"""Sign-in with the organisation's OpenID Connect provider: authorization code flow with PKCE (S256).

Authlib builds the authorization URL and exchanges the code; the ID token's signature is checked against
the provider's JWKS (asymmetric algorithms only), then issuer, audience (our client id), expiry and the
nonce sent. The provider is reached over https, or http on a loopback address (tests, the demo).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx
import jwt
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2 import OAuth2Error

from sojourn.access.api_token import Role

ALGORITHMS = ["RS256", "ES256"]
LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_NAME = 256


class SignInFailed(Exception):
    """The provider's answer cannot sign anyone in; the message says why, never repeating a token."""


@dataclass(frozen=True)
class SignInSettings:
    issuer: str
    client_id: str
    client_secret: str = field(default="", repr=False)
    user_claim: str = "preferred_username"
    groups_claim: str = "groups"
    role_map: Mapping[str, str] = field(default_factory=dict)
    """Provider group -> Sojourn role (requester, approver, admin, auditor); everyone is a requester."""
    leeway_seconds: int = 30


@dataclass(frozen=True, slots=True)
class Started:
    url: str
    state: str
    nonce: str
    verifier: str


@dataclass(frozen=True, slots=True)
class Person:
    user: str
    roles: frozenset[Role]


def _safe(url: str) -> str:
    parts = urlparse(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK):
        return url
    raise SignInFailed("the identity provider must be reached over https")


class OidcSignIn:
    def __init__(self, settings: SignInSettings, timeout: float = 5.0) -> None:
        self.settings, self.timeout = settings, timeout
        self._discovery: dict[str, Any] | None = None
        self._keys: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _document(self) -> dict[str, Any]:
        with self._lock:
            if self._discovery is None:
                url = _safe(self.settings.issuer.rstrip("/")) + "/.well-known/openid-configuration"
                try:
                    found = httpx.get(url, timeout=self.timeout).raise_for_status().json()
                except (httpx.HTTPError, ValueError):
                    raise SignInFailed("the identity provider cannot be reached; try again shortly") from None
                for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(found.get(name), str):
                        raise SignInFailed(f"the identity provider's discovery document has no {name}")
                    _safe(found[name])
                self._discovery = found
            return self._discovery

    def _client(self, redirect_uri: str) -> OAuth2Client:
        return OAuth2Client(
            self.settings.client_id,
            self.settings.client_secret or None,
            scope="openid profile email",
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_post" if self.settings.client_secret else "none",
            timeout=self.timeout,
        )

    def start(self, redirect_uri: str) -> Started:
        """Where to send the browser, with the state, nonce and PKCE verifier to keep in the session."""
        verifier, nonce = generate_token(64), generate_token(32)
        with self._client(redirect_uri) as client:
            url, state = client.create_authorization_url(
                self._document()["authorization_endpoint"], nonce=nonce, code_verifier=verifier
            )
        return Started(url, state, nonce, verifier)

    def finish(self, redirect_uri: str, code: str, verifier: str, nonce: str) -> Person:
        """Exchange the code (with the PKCE verifier) and check the ID token; who signed in."""
        try:
            with self._client(redirect_uri) as client:
                token = client.fetch_token(
                    self._document()["token_endpoint"], code=code, code_verifier=verifier
                )
        except (OAuth2Error, httpx.HTTPError, ValueError):
            raise SignInFailed("the identity provider refused the sign-in; start again") from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise SignInFailed("the identity provider sent no ID token")
        return self._person(self._claims(id_token, nonce))

    def _key(self, kid: str) -> Any:
        with self._lock:
            if kid not in self._keys:
                try:
                    body = httpx.get(self._discovery_jwks(), timeout=self.timeout).raise_for_status().json()
                    keys = jwt.PyJWKSet.from_dict(body)
                except (httpx.HTTPError, ValueError, jwt.PyJWKSetError):
                    raise SignInFailed("the identity provider's keys are unavailable") from None
                self._keys = {k.key_id: k for k in keys.keys if k.key_id}
            found = self._keys.get(kid)
        if found is None:
            raise SignInFailed("no key of the identity provider signed the ID token")
        return found.key

    def _discovery_jwks(self) -> str:
        assert self._discovery is not None
        return str(self._discovery["jwks_uri"])

    def _claims(self, id_token: str, nonce: str) -> Mapping[str, Any]:
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError:
            raise SignInFailed("the ID token is not a JWT") from None
        if header.get("alg") not in ALGORITHMS or not isinstance(header.get("kid"), str):
            raise SignInFailed("the ID token's signing algorithm or key id is not accepted")
        self._document()
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                self._key(header["kid"]),
                algorithms=[header["alg"]],
                audience=self.settings.client_id,
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_seconds,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.PyJWTError:
            raise SignInFailed("the ID token's signature or claims are invalid") from None
        if not isinstance(claims.get("nonce"), str) or claims["nonce"] != nonce:
            raise SignInFailed("the ID token was not issued for this sign-in (nonce)")
        return claims

    def _person(self, claims: Mapping[str, Any]) -> Person:
        user = claims.get(self.settings.user_claim)
        if not isinstance(user, str) or not user or len(user) > MAX_NAME or not user.isprintable():
            raise SignInFailed(f"the ID token has no usable {self.settings.user_claim} claim")
        groups = claims.get(self.settings.groups_claim) or []
        if not isinstance(groups, list):
            raise SignInFailed(f"the ID token's {self.settings.groups_claim} claim is not a list")
        roles = {Role.REQUESTER} | {
            Role(self.settings.role_map[g])
            for g in groups
            if isinstance(g, str) and g in self.settings.role_map
        }
        return Person(user, frozenset(roles))
