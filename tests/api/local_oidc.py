"""A local OpenID Connect issuer on 127.0.0.1: its own keys, a discovery document and a JWKS."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

NOW = 1_900_000_000.0
AUDIENCE = "sojourn"
ROLE_MAP = {"aws-requesters": "requester", "aws-approvers": "approver", "aws-auditors": "auditor"}


class FakeTime:
    """Seconds since the epoch that only move when told to."""

    def __init__(self, start: float) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.t, UTC)


def public_jwk(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, kid: str, alg: str) -> dict[str, Any]:
    algorithm = RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else ECAlgorithm
    jwk = algorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "alg": alg, "use": "sig"}


class LocalIssuer:
    """A real HTTP server publishing an RSA and an EC key; counts how often the JWKS is fetched."""

    def __init__(self) -> None:
        self.rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec_key = ec.generate_private_key(ec.SECP256R1())
        self.published: list[dict[str, Any]] = []
        self.jwks_fetches = 0
        self.discovery: dict[str, Any] | None = None
        self.reset()
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    body: Any = issuer.discovery or {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks"}
                elif self.path == "/jwks":
                    issuer.jwks_fetches += 1
                    body = {"keys": issuer.published}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def reset(self) -> None:
        """Publish the two original keys and the honest discovery document again."""
        self.published = [
            public_jwk(self.rsa_key, "rsa-1", "RS256"),
            public_jwk(self.ec_key, "ec-1", "ES256"),
        ]
        self.discovery = None
        self.jwks_fetches = 0

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def claims(self, **overrides: Any) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": "user-42",
            "preferred_username": "ada",
            "groups": ["aws-requesters", "aws-approvers", "unrelated-group"],
            "iat": int(NOW),
            "exp": int(NOW) + 300,
        }
        claims.update(overrides)
        return {name: value for name, value in claims.items() if value is not None}

    def sign(self, claims: dict[str, Any] | None = None, *, key: str = "rsa", kid: str | None = None) -> str:
        private = self.rsa_key if key == "rsa" else self.ec_key
        alg = "RS256" if key == "rsa" else "ES256"
        kid = kid or ("rsa-1" if key == "rsa" else "ec-1")
        return jwt.encode(claims or self.claims(), private, algorithm=alg, headers={"kid": kid})
