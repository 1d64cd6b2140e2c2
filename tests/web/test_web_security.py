"""Security of the pages: no page without a signed-in session, none without its role, no form without the
session's CSRF token, a new session id at sign-in, logout that ends the session, PKCE and the nonce
checked, cookie flags, and a Content Security Policy that no inline script escapes."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

from sojourn.service.access_graph import SnapshotAnalysis
from sojourn.web.app import create_web_app
from sojourn.web.sessions import COOKIE
from tests.web.conftest import Web, web_context
from tests.web.test_web_pages import PAGES, csrf_of

FORMS = [
    "/request", "/requests/x/approve", "/requests/x/deny", "/requests/x/cancel", "/requests/x/revoke",
    "/reviews", "/reviews/rv-x/items/i1", "/reviews/rv-x/close", "/logout",
]  # fmt: skip
LIVE = ["/live/my-access", "/live/inbox", "/live/requests/x", "/live/audit-chain"]
REQUESTER_REFUSED = ["/inbox", "/grants", "/audit", "/reviews", "/findings", "/findings/report", "/paths",
                     "/dashboard", "/live/inbox", "/live/audit-chain", "/reviews/rv-x",
                     "/reviews/rv-x/evidence", "/reviews/rv-x/evidence.csv"]  # fmt: skip


def test_every_page_is_refused_without_a_session(web: Web) -> None:
    stranger = TestClient(web.client.app)
    for path in [*PAGES, "/requests/x", "/reviews/rv-x"]:
        answer = stranger.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next=")
    for path in LIVE:
        assert stranger.get(path, follow_redirects=False).status_code == 401, path
    for path in FORMS:
        assert stranger.post(path, data={"csrf": "x"}, follow_redirects=False).status_code == 401, path
    forged = TestClient(web.client.app, cookies={COOKIE: "abc.def"})
    assert forged.get("/", follow_redirects=False).status_code == 303


def test_every_page_is_refused_with_the_wrong_role(web: Web) -> None:
    alice = web.sign_in("alice")  # a requester and nothing else
    assert alice.get("/").status_code == 200
    for path in REQUESTER_REFUSED:
        answer = alice.get(path, follow_redirects=False)
        assert answer.status_code == 403, (path, answer.status_code)
        assert "needs the" in answer.text
    csrf = csrf_of(alice.get("/").text)
    for path in ["/requests/x/approve", "/requests/x/deny", "/reviews", "/reviews/rv-x/close"]:
        assert alice.post(path, data={"csrf": csrf}, follow_redirects=False).status_code == 403, path
    auditor = web.sign_in("dave", "sojourn-auditors")
    assert auditor.get("/inbox", follow_redirects=False).status_code == 403
    assert auditor.get("/grants").status_code == 200
    assert auditor.post("/reviews", data={"csrf": csrf_of(auditor.get("/grants").text)}).status_code == 403


def test_a_form_without_the_sessions_csrf_token_is_refused(web: Web) -> None:
    erin = web.sign_in("erin")
    form = erin.get("/request").text
    fields = {"permission_set": "prod-admin", "accounts": re.findall(r'value="(\d{12})"', form)[:1],
              "hours": "1", "reason": "INC-1 x"}  # fmt: skip
    before = len(web.jit.service.requests())
    for csrf in (None, "", "wrong-token", csrf_of(web.sign_in("carol").get("/").text)):
        data = fields if csrf is None else {**fields, "csrf": csrf}
        refused = erin.post("/request", data=data, follow_redirects=False)
        assert refused.status_code == 403 and "out of date" in refused.text
    assert len(web.jit.service.requests()) == before
    sent = erin.post("/request", data={**fields, "csrf": csrf_of(form)}, follow_redirects=False)
    assert sent.status_code == 303
    assert len(web.jit.service.requests()) == before + 1


def test_sign_in_issues_a_new_session_id_and_a_planted_one_stays_signed_out(web: Web) -> None:
    browser = TestClient(web.client.app)
    web.issuer.sign_in_as = ("erin", [])
    started = browser.get("/login", follow_redirects=False)
    planted = started.cookies[COOKIE]
    back = httpx.get(started.headers["location"], follow_redirects=False)
    callback = back.headers["location"].split("127.0.0.1", 1)[-1].split("testserver", 1)[-1]
    done = browser.get(callback, follow_redirects=False)
    assert done.status_code == 303
    signed_in = done.cookies[COOKIE]
    assert signed_in != planted and signed_in.split(".")[0] != planted.split(".")[0]
    attacker = TestClient(web.client.app, cookies={COOKIE: planted})
    assert attacker.get("/", follow_redirects=False).status_code == 303
    assert browser.get("/", follow_redirects=False).status_code == 200
    again = browser.get(callback, follow_redirects=False)  # the code and the login state are single use
    assert again.status_code == 400


def test_logout_ends_the_session_for_every_copy_of_the_cookie(web: Web) -> None:
    erin = web.sign_in("erin")
    cookie = erin.cookies[COOKIE]
    copy = TestClient(web.client.app, cookies={COOKIE: cookie})
    assert copy.get("/", follow_redirects=False).status_code == 200
    refused = erin.post("/logout", data={}, follow_redirects=False)
    assert refused.status_code == 403  # logout is a form too: no CSRF token, no logout
    out = erin.post("/logout", data={"csrf": csrf_of(erin.get("/").text)}, follow_redirects=False)
    assert out.status_code == 200 and "signed out" in out.text
    assert copy.get("/", follow_redirects=False).status_code == 303


def test_sign_in_uses_pkce_and_checks_state_and_nonce(web: Web) -> None:
    web.sign_in("erin")
    sent = web.issuer.token_requests[-1]
    assert sent["grant_type"] == "authorization_code" and len(sent["code_verifier"]) >= 43
    browser = TestClient(web.client.app)
    web.issuer.sign_in_as = ("erin", [])
    started = browser.get("/login", follow_redirects=False)
    assert "code_challenge_method=S256" in started.headers["location"]
    back = httpx.get(started.headers["location"], follow_redirects=False).headers["location"]
    code = re.search(r"code=([^&]+)", back).group(1)  # type: ignore[union-attr]
    wrong_state = browser.get(f"/auth/callback?code={code}&state=forged", follow_redirects=False)
    assert wrong_state.status_code == 400
    web.issuer.id_token_claims = {"nonce": "replayed"}
    try:
        browser2 = TestClient(web.client.app)
        started = browser2.get("/login", follow_redirects=False)
        back = httpx.get(started.headers["location"], follow_redirects=False).headers["location"]
        path = back.split("testserver", 1)[-1]
        refused = browser2.get(path, follow_redirects=False)
        assert refused.status_code == 401 and "nonce" in refused.text
    finally:
        web.issuer.id_token_claims = {}


def test_the_session_cookie_is_httponly_lax_and_secure_on_https(web: Web) -> None:
    started = TestClient(web.client.app).get("/login", follow_redirects=False)
    flags = started.headers["set-cookie"].lower()
    assert "httponly" in flags and "samesite=lax" in flags and "secure" not in flags
    secure_app = create_web_app(web_context(web.jit, web.issuer, web_url="https://sojourn.example"))
    secure = TestClient(secure_app, base_url="https://sojourn.example").get("/login", follow_redirects=False)
    assert "secure" in secure.headers["set-cookie"].lower()
    assert "redirect_uri=https%3A%2F%2Fsojourn.example%2Fauth%2Fcallback" in secure.headers["location"]


def test_every_page_has_a_strict_policy_and_no_script_without_its_nonce(web: Web) -> None:
    admin = web.sign_in("carol", "sojourn-admins", "sojourn-approvers")
    for path in [*PAGES, "/login"]:
        answer = admin.get(path, follow_redirects=False)
        policy = answer.headers["content-security-policy"]
        nonce = re.search(r"script-src 'nonce-([^']+)'", policy).group(1)  # type: ignore[union-attr]
        assert "unsafe-inline" not in policy and "default-src 'none'" in policy
        assert "frame-ancestors 'none'" in policy and "form-action 'self'" in policy
        html = answer.text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert f'nonce="{nonce}"' in tag, (path, tag)
        assert not re.search(r"\son[a-z]+\s*=", html), path  # no inline event handlers
        assert "javascript:" not in html
        assert answer.headers["x-frame-options"] == "DENY"
    first = admin.get("/").headers["content-security-policy"]
    assert first != admin.get("/").headers["content-security-policy"]  # a new nonce each time


def test_a_failing_page_shows_what_to_do_and_no_traceback(web: Web) -> None:
    def broken() -> SnapshotAnalysis:
        raise RuntimeError("secret internals /etc/passwd")

    app = create_web_app(web_context(web.jit, web.issuer, analysis=broken))
    client = TestClient(app, raise_server_exceptions=False)
    admin = web.sign_in("carol", "sojourn-admins", client=client)
    answer = admin.get("/findings")
    assert answer.status_code == 500
    assert "Sojourn could not show this page" in answer.text
    assert "Traceback" not in answer.text and "secret internals" not in answer.text
    assert "content-security-policy" in answer.headers
