"""Fixtures for the authentication tests (prefixed, so they shadow no fixture of other API tests)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sojourn.api.oidc import OidcSettings, OidcVerifier
from tests.api.local_oidc import AUDIENCE, NOW, ROLE_MAP, FakeTime, LocalIssuer


@pytest.fixture(scope="session")
def oidc_issuer() -> Iterator[LocalIssuer]:
    server = LocalIssuer()
    yield server
    server.stop()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime(NOW)


@pytest.fixture
def oidc_settings(oidc_issuer: LocalIssuer) -> OidcSettings:
    return OidcSettings(issuer=oidc_issuer.url, audience=AUDIENCE, role_map=ROLE_MAP)


@pytest.fixture
def oidc_verifier(
    oidc_issuer: LocalIssuer, oidc_settings: OidcSettings, fake_time: FakeTime
) -> Iterator[OidcVerifier]:
    oidc_issuer.reset()
    with httpx.Client(timeout=5) as http:
        yield OidcVerifier(oidc_settings, http=http, now=fake_time)
