"""Verify OpenID Connect bearer tokens against the keys the issuer publishes (its JWKS)."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt

from sojourn.api.identity import Caller, Role, Unauthenticated

log = logging.getLogger(__name__)

# Asymmetric algorithms only, each with the key type it must be verified with. "none" and the HMAC
# family are absent on purpose: an HS* token "signed" with the issuer's public key is the classic
# algorithm-confusion forgery.
KEY_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "RS256": "RSA",
        "RS384": "RSA",
        "RS512": "RSA",
        "PS256": "RSA",
        "PS384": "RSA",
        "PS512": "RSA",
        "ES256": "EC",
        "ES384": "EC",
        "ES512": "EC",
        "EdDSA": "OKP",
    }
)
MAX_TOKEN_CHARS = 16_384
MAX_DOCUMENT_BYTES = 1_048_576
REQUIRED_CLAIMS = ("iss", "aud", "sub", "exp", "iat")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def _check_url(url: str, what: str) -> None:
    """HTTPS everywhere; plain HTTP only to this machine (local issuers in tests and the demo)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return
    raise ValueError(f"{what} must be an https URL (http only on a loopback host), got {url!r}")


@dataclass(frozen=True)
class OidcSettings:
    """Which issuer to trust, for which audience, and how its claims become Sojourn roles."""

    issuer: str
    audience: str
    user_claim: str = "preferred_username"
    roles_claim: str = "groups"
    role_map: Mapping[str, str] = field(default_factory=dict)  # IdP group -> Sojourn role
    algorithms: tuple[str, ...] = ("RS256", "ES256")
    leeway_seconds: float = 30
    refetch_interval_seconds: float = 60  # least time between two JWKS fetches
    jwks_max_age_seconds: float = 3600  # refresh cached keys this often even if all kids are known
    timeout_seconds: float = 5

    def __post_init__(self) -> None:
        _check_url(self.issuer, "issuer")
        if not self.audience:
            raise ValueError("audience must not be empty")
        if not self.algorithms:
            raise ValueError("at least one algorithm must be allowed")
        for alg in self.algorithms:
            if alg not in KEY_TYPES:
                raise ValueError(f"algorithm {alg!r} is not an allowed asymmetric algorithm")
        known = {role.value for role in Role}
        for group, role in self.role_map.items():
            if role not in known:
                raise ValueError(f"role_map[{group!r}]: unknown role {role!r}")
        if not 0 <= self.leeway_seconds <= 300:
            raise ValueError("leeway_seconds must be between 0 and 300")
        object.__setattr__(self, "role_map", MappingProxyType(dict(self.role_map)))


class OidcVerifier:
    """Checks bearer tokens from one issuer; discovers and caches its JWKS, thread-safe."""

    def __init__(
        self,
        settings: OidcSettings,
        http: httpx.Client | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(timeout=settings.timeout_seconds)
        self._now = now
        self._lock = threading.Lock()
        self._jwks_uri: str | None = None
        self._keys: dict[str, dict[str, Any]] = {}
        self._parsed: dict[tuple[str, str], jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None

    def close(self) -> None:
        """Close the HTTP client if this verifier created it."""
        if self._owns_http:
            self._http.close()

    def verify(self, bearer_token: str) -> Caller:
        """The caller a valid token names; Unauthenticated (never echoing the token) otherwise."""
        header = _unverified_header(bearer_token)
        alg, kid = header.get("alg"), header.get("kid")
        if not isinstance(alg, str) or alg not in self._settings.algorithms:
            raise Unauthenticated("token is signed with an algorithm that is not allowed")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("token header names no key id (kid)")
        claims = self._decode(bearer_token, self._key(kid, alg), alg)
        self._check_times(claims)
        return self._caller(claims)

    # keys

    def _key(self, kid: str, alg: str) -> jwt.PyJWK:
        with self._lock:
            now = self._now()
            if self._fetched_at is None or now - self._fetched_at >= self._settings.jwks_max_age_seconds:
                self._refresh_if_allowed(now, required=self._fetched_at is None)
            if kid not in self._keys:
                # The issuer may have rotated its keys: look once more, but not more than once in a while,
                # so tokens with made-up kids cannot make us hammer the issuer.
                self._refresh_if_allowed(now, required=False)
            jwk = self._keys.get(kid)
            if jwk is None:
                raise Unauthenticated("token is signed by a key the issuer does not publish")
            return self._parse(kid, jwk, alg)

    def _refresh_if_allowed(self, now: float, *, required: bool) -> None:
        interval = self._settings.refetch_interval_seconds
        if self._attempted_at is not None and now - self._attempted_at < interval:
            if required:
                raise Unauthenticated("the issuer's signing keys are unavailable")
            return
        self._attempted_at = now
        try:
            keys = self._fetch_keys()
        except (httpx.HTTPError, ValueError) as exc:
            self._jwks_uri = None
            log.warning("fetching the JWKS of %s failed: %s", self._settings.issuer, exc)
            if required:
                raise Unauthenticated("the issuer's signing keys are unavailable") from None
            return
        self._keys, self._parsed, self._fetched_at = keys, {}, now

    def _fetch_keys(self) -> dict[str, dict[str, Any]]:
        if self._jwks_uri is None:
            self._jwks_uri = self._discover()
        listed = self._get_json(self._jwks_uri).get("keys")
        if not isinstance(listed, list):
            raise ValueError("the JWKS has no 'keys' list")
        keys: dict[str, dict[str, Any]] = {}
        for jwk in listed:
            if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
                continue
            if jwk.get("kty") not in KEY_TYPES.values() or jwk.get("use", "sig") != "sig":
                continue  # symmetric ("oct"), unknown or encryption keys never verify a signature here
            keys[jwk["kid"]] = jwk
        return keys

    def _discover(self) -> str:
        url = self._settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
        document = self._get_json(url)
        if document.get("issuer") != self._settings.issuer:
            raise ValueError("the discovery document names a different issuer")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise ValueError("the discovery document has no jwks_uri")
        _check_url(jwks_uri, "jwks_uri")
        return jwks_uri

    def _get_json(self, url: str) -> dict[str, Any]:
        response = self._http.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        if len(response.content) > MAX_DOCUMENT_BYTES:
            raise ValueError(f"{url} returned more than {MAX_DOCUMENT_BYTES} bytes")
        document = response.json()
        if not isinstance(document, dict):
            raise ValueError(f"{url} did not return a JSON object")
        return document

    def _parse(self, kid: str, jwk: dict[str, Any], alg: str) -> jwt.PyJWK:
        if jwk.get("kty") != KEY_TYPES[alg] or jwk.get("alg", alg) != alg:
            raise Unauthenticated("token algorithm does not match the issuer's key")
        parsed = self._parsed.get((kid, alg))
        if parsed is None:
            try:
                parsed = jwt.PyJWK(jwk, algorithm=alg)
            except jwt.PyJWTError:
                raise Unauthenticated("the issuer published a key that cannot be used") from None
            self._parsed[(kid, alg)] = parsed
        return parsed

    # claims

    def _decode(self, token: str, key: jwt.PyJWK, alg: str) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                # Times are checked against the injected clock in _check_times.
                options={
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "require": list(REQUIRED_CLAIMS),
                    "enforce_minimum_key_length": True,
                },
            )
        except jwt.InvalidSignatureError:
            raise Unauthenticated("token signature is not valid") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated("token is not meant for this audience") from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated("token comes from another issuer") from None
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthenticated(f"token lacks the {exc.claim!r} claim") from None
        except jwt.PyJWTError:
            raise Unauthenticated("token is not valid") from None

    def _check_times(self, claims: Mapping[str, Any]) -> None:
        now, leeway = self._now(), self._settings.leeway_seconds
        exp, iat, nbf = (_timestamp(claims, name) for name in ("exp", "iat", "nbf"))
        if exp is None or iat is None:
            raise Unauthenticated("token lacks a numeric 'exp' or 'iat' claim")
        if now >= exp + leeway:
            raise Unauthenticated("token has expired")
        if now + leeway < iat:
            raise Unauthenticated("token was issued in the future")
        if nbf is not None and now + leeway < nbf:
            raise Unauthenticated("token is not valid yet")

    def _caller(self, claims: Mapping[str, Any]) -> Caller:
        user = claims.get(self._settings.user_claim)
        if not isinstance(user, str) or not user:
            raise Unauthenticated(f"token lacks a usable {self._settings.user_claim!r} claim")
        groups = claims.get(self._settings.roles_claim, [])
        if isinstance(groups, str):
            groups = [groups]
        if not isinstance(groups, list):
            raise Unauthenticated(f"token has a malformed {self._settings.roles_claim!r} claim")
        role_map = self._settings.role_map
        roles = frozenset(role_map[g] for g in groups if isinstance(g, str) and g in role_map)
        return Caller(subject=str(claims["sub"]), user_name=user, roles=roles, via="oidc")


def _unverified_header(token: str) -> dict[str, Any]:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise Unauthenticated("token is malformed")
    try:
        return jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Unauthenticated("token is malformed") from None


def _timestamp(claims: Mapping[str, Any], name: str) -> float | None:
    """A NumericDate claim, or None when absent; a non-numeric value is a malformed token."""
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Unauthenticated(f"token has a malformed {name!r} claim")
    return float(value)
