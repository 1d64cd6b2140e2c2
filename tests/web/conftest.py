"""Web fixtures: the pages over the S2 just-in-time set-up (moto, both databases), the local OpenID Connect
issuer, and signing in through it with a TestClient (the browser tests sign in with Chromium)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from fastapi.testclient import TestClient

from sojourn.service.access_graph import SnapshotAnalysis
from sojourn.service.audit import AuditTrail
from sojourn.service.reviews import ReviewService
from sojourn.web.app import create_web_app
from sojourn.web.context import WebContext
from sojourn.web.oidc_client import OidcSignIn, SignInSettings
from tests.api.issuer import Issuer, local_issuer
from tests.databases import fresh_database
from tests.e2e.conftest import s1  # noqa: F401 - fixture
from tests.e2e.jit_fixtures import Jit, jit  # noqa: F401 - fixture

ROLES = {"sojourn-approvers": "approver", "sojourn-admins": "admin", "sojourn-auditors": "auditor"}
CLIENT_ID = "sojourn-web"


@dataclass
class Web:
    client: TestClient
    issuer: Issuer
    jit: Jit

    def sign_in(self, user: str, *groups: str, client: TestClient | None = None) -> TestClient:
        """Sign `user` in through the issuer (code flow with PKCE) in `client` (a new one by default)."""
        browser = client or TestClient(self.client.app)
        self.issuer.sign_in_as = (user, list(groups))
        started = browser.get("/login", follow_redirects=False)
        assert started.status_code == 303, started.text
        back = httpx.get(started.headers["location"], follow_redirects=False)
        assert back.status_code == 302
        callback = urlparse(back.headers["location"])
        done = browser.get(f"{callback.path}?{callback.query}", follow_redirects=False)
        assert done.status_code == 303, done.text
        return browser


def web_context(jit: Jit, issuer: Issuer, **extra: object) -> WebContext:  # noqa: F811
    config = Path(jit.sojourn.config)
    reviews = ReviewService(
        jit.store.reviews,
        jit.clock,
        config,
        lambda region, instance: jit.gateway,
        grants=jit.store.grants,
        audit=jit.store.audit,
    )
    return WebContext(
        jit.service,
        AuditTrail(jit.store.audit),
        jit.clock,
        OidcSignIn(SignInSettings(issuer.url, CLIENT_ID, role_map=ROLES)),
        b"k" * 32,
        reviews=reviews,
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """SQLite for the TestClient tests; the browser journeys run the served app on PostgreSQL."""
    with fresh_database("sqlite", tmp_path) as url:
        yield url


@pytest.fixture
def web(jit: Jit) -> Iterator[Web]:  # noqa: F811 - the fixture above
    from sojourn.catalog import load_catalog
    from tests.analysis.test_graph import organisation

    analysis = SnapshotAnalysis(organisation(), load_catalog())
    with local_issuer() as issuer:
        app = create_web_app(
            web_context(jit, issuer, analysis=lambda: analysis, snapshot_name="test-snapshot.json")
        )
        with TestClient(app) as client:
            yield Web(client, issuer, jit)
