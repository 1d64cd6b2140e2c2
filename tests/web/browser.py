"""Browser test set-up: `sojourn serve` run for real on 127.0.0.1 (pages, API and worker) over the S2 set-up
in moto, the local OpenID Connect issuer, Debian's Chromium driven by Playwright, axe on every page and a
screenshot of each (under artifacts/screenshots/, kept by CI, never committed)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from sojourn.service.snapshots import save_snapshot
from tests.api.issuer import Issuer, local_issuer
from tests.e2e.jit_fixtures import Jit
from tests.e2e.test_serve import free_port

CHROMIUM = "/usr/bin/chromium"
ROLES = {"sojourn-approvers": "approver", "sojourn-admins": "admin", "sojourn-auditors": "auditor"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
BLOCKING = ("serious", "critical")


@dataclass
class Served:
    base: str
    issuer: Issuer
    jit: Jit
    browser: Browser
    shots: Path
    console: list[str] = field(default_factory=list)

    def person(self, user: str, *groups: str) -> Page:
        """A new browser context (its own cookies) signed in as `user` through the issuer."""
        context: BrowserContext = self.browser.new_context(viewport={"width": 1100, "height": 900})
        context.set_default_timeout(60_000)  # a loaded CI machine is slow, never wrong
        page = context.new_page()
        page.on("console", lambda message: self.console.append(f"{user}: {message.text}"))
        self.issuer.sign_in_as = (user, list(groups))
        page.goto(self.base + "/")
        page.wait_for_url(self.base + "/")
        assert page.get_by_role("heading", name="My access").is_visible()
        return page

    def check(self, page: Page, name: str) -> None:
        """axe finds no serious or critical violation on the page; a screenshot of it is kept."""
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)
        results = Axe().run(page)
        blocking = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v.get("impact") in BLOCKING
        ]
        assert not blocking, f"{name}: {blocking}"
        violations = [line for line in self.console if "Content Security Policy" in line]
        assert not violations, violations


def wait_for(condition, seconds: float = 30.0, what: str = "") -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.fixture
def served(jit: Jit, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    from tests.analysis.test_graph import organisation

    snapshot = tmp_path / "snapshot.json"
    save_snapshot(organisation(), snapshot)
    shots = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shots.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with local_issuer() as issuer:
        env = {
            **os.environ,
            "SOJOURN_DATABASE_URL": jit.sojourn.database_url,
            "SOJOURN_AWS_ENDPOINT_URL": jit.sojourn.endpoint,
            "SOJOURN_OIDC_ISSUER": issuer.url,
            "SOJOURN_OIDC_CLIENT_ID": "sojourn-web",
            "SOJOURN_OIDC_ROLE_MAP": json.dumps(ROLES),
            "SOJOURN_SNAPSHOT": str(snapshot),
            "SOJOURN_ACTOR": "web-e2e",
        }
        command = [sys.executable, "-c", "from sojourn.cli.main import app; app()", "serve"]
        log = (tmp_path / "serve.log").open("w")
        server = subprocess.Popen(
            [*command, "--port", str(port), "--config", str(jit.sojourn.config), "--tick", "0.2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            # generous: a loaded CI machine can take a while to import and migrate
            wait_for(lambda: _answers(base) or server.poll() is not None, 120, "sojourn serve")
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                try:
                    yield Served(base, issuer, jit, browser, shots)
                finally:
                    browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
            log.close()


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
