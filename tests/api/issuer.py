"""A local OpenID Connect issuer for tests: its own RSA key, discovery and JWKS over real HTTP, and for the
web sign-in an authorize endpoint that signs in the person the test chose (`issuer.sign_in_as`) and a
token endpoint that checks the PKCE verifier before it hands out an ID token."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

AUDIENCE = "sojourn"


class Issuer:
    def __init__(self, url: str) -> None:
        self.url = url
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.sign_in_as: tuple[str, list[str]] | None = None
        """Who the authorize endpoint signs in next: (user name, groups)."""
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, str]] = []
        self.id_token_claims: dict[str, Any] = {}
        """Claims added to (or replacing those of) every ID token: for tests of refusals."""

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "jwks_uri": self.url + "/jwks",
            "authorization_endpoint": self.url + "/authorize",
            "token_endpoint": self.url + "/token",
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
        }

    def authorize(self, query: dict[str, str]) -> str:
        """Where the browser goes back to: the redirect URI with a code for the chosen person."""
        assert self.sign_in_as is not None, "the test did not say who signs in (issuer.sign_in_as)"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "person": self.sign_in_as}
        return query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})

    def exchange(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.token_requests.append(form)
        asked = self.codes.pop(form.get("code", ""), None)
        if asked is None or form.get("redirect_uri") != asked["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if asked.get("code_challenge_method") != "S256" or digest != asked.get("code_challenge"):
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        user, groups = asked["person"]
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": asked["client_id"],
            "sub": user,
            "iat": now,
            "exp": now + 300,
            "nonce": asked.get("nonce"),
            "preferred_username": user,
            "groups": groups,
        } | self.id_token_claims
        id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})
        return 200, {
            "access_token": "opaque",
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [public | {"kid": "k1", "use": "sig", "alg": "RS256"}]}

    def token(
        self,
        user: str,
        groups: list[str],
        *,
        lifetime: int = 300,
        key: Any = None,
        kid: str = "k1",
        **claims: Any,
    ) -> str:
        now = int(time.time())
        body = {
            "iss": self.url,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + lifetime,
            "preferred_username": user,
        }
        body |= {"groups": groups} | claims
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": kid})


@contextmanager
def local_issuer() -> Iterator[Issuer]:
    holder: dict[str, Issuer] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            issuer = holder["issuer"]
            path = urlparse(self.path)
            if path.path == "/.well-known/openid-configuration":
                body = issuer.discovery()
            elif path.path == "/jwks":
                body = issuer.jwks()
            elif path.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", issuer.authorize(dict(parse_qsl(path.query))))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            else:
                self.send_error(404)
                return
            self._json(200, body)

        def do_POST(self) -> None:
            if self.path != "/token":
                self.send_error(404)
                return
            length = int(self.headers.get("Content-Length", "0"))
            form = dict(parse_qsl(self.rfile.read(length).decode()))
            self._json(*holder["issuer"].exchange(form))

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["issuer"] = Issuer(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["issuer"]
    finally:
        server.shutdown()
