"""OpenID Connect bearer tokens: signature checked against the issuer's JWKS, then iss, aud, exp, nbf.

Only asymmetric algorithms are accepted (RS256, ES256), so a token "signed" with `none` or with the public
key as an HMAC secret is refused. The JWKS comes from the jwks_uri of the issuer's discovery document
(https, or http on a loopback address for tests and the demo); an unknown key id causes at most one
refetch a minute, so forged key ids cannot make Sojourn hammer the issuer. Refusals never echo the token.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx
import jwt

from sojourn.api.callers import Caller, Role, Unauthenticated

ALGORITHMS = ("RS256", "ES256")
MAX_NAME = 256
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    audience: str
    user_claim: str = "preferred_username"
    groups_claim: str = "groups"
    role_map: Mapping[str, str] = field(default_factory=dict)
    """IdP group -> Sojourn role; everyone signed in is a requester."""
    leeway_seconds: int = 30
    refetch_seconds: float = 60.0


def _safe_url(url: str) -> str:
    parts = urlparse(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK):
        return url
    raise Unauthenticated("the identity provider must be reached over https")


class OidcVerifier:
    def __init__(
        self, settings: OidcSettings, timeout: float = 5.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings, self.timeout, self.monotonic = settings, timeout, monotonic
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()
        self.fetches = 0

    def _fetch(self) -> None:
        base = _safe_url(self.settings.issuer.rstrip("/"))
        try:
            discovery = httpx.get(base + "/.well-known/openid-configuration", timeout=self.timeout)
            jwks_uri = _safe_url(str(discovery.raise_for_status().json()["jwks_uri"]))
            keys = jwt.PyJWKSet.from_dict(httpx.get(jwks_uri, timeout=self.timeout).raise_for_status().json())
        except (httpx.HTTPError, ValueError, KeyError, jwt.PyJWKSetError):
            raise Unauthenticated("the identity provider's keys are unavailable") from None
        finally:
            self._fetched_at = self.monotonic()
            self.fetches += 1
        self._keys = {k.key_id: k for k in keys.keys if k.key_id}

    def _key(self, kid: str) -> Any:
        with self._lock:
            stale = (
                self._fetched_at is None
                or self.monotonic() - self._fetched_at >= self.settings.refetch_seconds
            )
            if kid not in self._keys and stale:
                self._fetch()
            found = self._keys.get(kid)
        if found is None:
            raise Unauthenticated("no key of the identity provider signed this token")
        return found.key

    def verify(self, token: str) -> Caller:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("the bearer token is not a JWT") from None
        if header.get("alg") not in ALGORITHMS:
            raise Unauthenticated("the token's signing algorithm is not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("the token names no signing key")
        try:
            claims = jwt.decode(
                token,
                self._key(kid),
                algorithms=[header["alg"]],
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_seconds,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise Unauthenticated("the token is not valid yet") from None
        except (jwt.InvalidAudienceError, jwt.InvalidIssuerError):
            raise Unauthenticated("the token was issued for someone else") from None
        except jwt.PyJWTError:
            raise Unauthenticated("the token's signature or claims are invalid") from None
        return self._caller(claims)

    def _caller(self, claims: Mapping[str, Any]) -> Caller:
        user = claims.get(self.settings.user_claim)
        if not isinstance(user, str) or not user:
            raise Unauthenticated(f"the token has no {self.settings.user_claim} claim")
        if len(user) > MAX_NAME or not user.isprintable():
            raise Unauthenticated(
                f"the token's {self.settings.user_claim} claim is not a usable name "
                f"(at most {MAX_NAME} printable characters)"
            )
        groups = claims.get(self.settings.groups_claim, [])
        if groups is None:
            groups = []
        if not isinstance(groups, list):
            raise Unauthenticated(
                f"the token's {self.settings.groups_claim} claim must be a list of group names, "
                f"not {type(groups).__name__}; fix the identity provider's claim mapping"
            )
        roles = {Role.REQUESTER} | {
            Role(self.settings.role_map[g])
            for g in groups
            if isinstance(g, str) and g in self.settings.role_map
        }
        return Caller(user, frozenset(roles), "oidc")
