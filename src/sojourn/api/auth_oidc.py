"""OpenID Connect bearer tokens: signature checked against the issuer's JWKS, then iss, aud, exp, nbf.

Only asymmetric algorithms are accepted (RS256, ES256), so a token "signed" with `none` or with the public
key as an HMAC secret is refused. Keys are fetched from the jwks_uri the issuer's discovery document names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx
import jwt

from sojourn.api.callers import Caller, Role, Unauthenticated

ALGORITHMS = ("RS256", "ES256")


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    audience: str
    user_claim: str = "preferred_username"
    groups_claim: str = "groups"
    role_map: Mapping[str, str] = field(default_factory=dict)
    """IdP group -> Sojourn role; everyone signed in is a requester."""
    leeway_seconds: int = 30


class OidcVerifier:
    def __init__(self, settings: OidcSettings, timeout: float = 5.0) -> None:
        self.settings = settings
        self.timeout = timeout
        self._keys: jwt.PyJWKClient | None = None

    def _client(self) -> jwt.PyJWKClient:
        if self._keys is None:
            url = self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
            try:
                discovery = httpx.get(url, timeout=self.timeout).raise_for_status().json()
            except (httpx.HTTPError, ValueError) as error:
                raise Unauthenticated(
                    f"the identity provider's discovery document is unavailable: {error}"
                ) from None
            self._keys = jwt.PyJWKClient(
                str(discovery["jwks_uri"]), cache_keys=True, lifespan=300, timeout=int(self.timeout)
            )
        return self._keys

    def verify(self, token: str) -> Caller:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("the bearer token is not a JWT") from None
        if header.get("alg") not in ALGORITHMS:
            raise Unauthenticated(f"algorithm {header.get('alg')!r} is not accepted")
        try:
            key = self._client().get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=list(ALGORITHMS),
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_seconds,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.PyJWKClientError as error:
            raise Unauthenticated(f"no key of the issuer signed this token: {error}") from None
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"the bearer token was refused: {error}") from None
        user = claims.get(self.settings.user_claim)
        if not isinstance(user, str) or not user:
            raise Unauthenticated(f"the token has no {self.settings.user_claim} claim")
        groups = claims.get(self.settings.groups_claim) or []
        roles = {Role.REQUESTER} | {
            Role(self.settings.role_map[g])
            for g in groups
            if isinstance(g, str) and g in self.settings.role_map
        }
        return Caller(user, frozenset(roles), "oidc")
