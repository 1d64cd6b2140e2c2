"""Every page renders for the roles that may see it, from the same use cases as the API: my access,
the request form and a request through to approval, the inbox, grants now, the audit trail, reviews,
findings, paths and the dashboard."""

from __future__ import annotations

import re

from tests.web.conftest import Web

PAGES = ["/", "/request", "/inbox", "/grants", "/audit", "/reviews", "/findings", "/findings/report",
         "/paths", "/dashboard"]  # fmt: skip


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def test_an_admin_sees_every_page(web: Web) -> None:
    admin = web.sign_in("carol", "sojourn-admins", "sojourn-approvers")
    for path in PAGES:
        answer = admin.get(path)
        assert answer.status_code == 200, (path, answer.text[:500])
        assert "Traceback" not in answer.text
    assert "prod-admin" in admin.get("/request").text
    assert "developer" in admin.get("/").text  # carol's standing access (team-b develops its own)
    assert "teams-develop-their-own-accounts" in admin.get("/").text


def test_a_request_from_the_form_to_approval_and_its_history(web: Web) -> None:
    erin = web.sign_in("erin", "sojourn-approvers")
    form = erin.get("/request").text
    accounts = re.findall(r'name="accounts" value="(\d{12})"', form)
    assert len(accounts) >= 2
    sent = erin.post(
        "/request",
        data={"csrf": csrf_of(form), "permission_set": "prod-admin", "accounts": accounts[:2],
              "hours": "2", "reason": "INC-7 disk full"},
        follow_redirects=False,
    )  # fmt: skip
    assert sent.status_code == 303, sent.text
    detail_path = sent.headers["location"]
    request_id = detail_path.rsplit("/", 1)[1]
    made = web.jit.service.get(request_id)
    assert made.person == "erin" and set(made.accounts) == set(accounts[:2])
    detail = erin.get(detail_path).text
    own = erin.post(f"/requests/{request_id}/approve", data={"csrf": csrf_of(detail)})
    assert own.status_code == 403 and "your own request" in own.text
    assert web.jit.service.get(request_id).state.value == "pending"

    carol = web.sign_in("carol", "sojourn-approvers")
    inbox = carol.get("/inbox").text
    assert request_id in inbox
    approved = carol.post(
        f"/requests/{request_id}/approve",
        data={"csrf": csrf_of(inbox), "comment": "go ahead", "back": "inbox"},
        follow_redirects=False,
    )
    assert approved.status_code == 303 and approved.headers["location"] == "/inbox"
    assert web.jit.service.get(request_id).state.value == "approved"
    assert request_id not in carol.get("/inbox").text
    live = erin.get(f"/live/requests/{request_id}").text
    assert "approved" in live and "go ahead" in live and "carol" in live


def test_audit_search_filters_and_pages(web: Web) -> None:
    auditor = web.sign_in("dave", "sojourn-auditors")
    everything = auditor.get("/audit").text
    assert "assignment" in everything  # the set-up's apply wrote records
    none = auditor.get("/audit", params={"person": "nobody-at-all"}).text
    assert "No record matches" in none
    chain = auditor.get("/live/audit-chain").text
    assert "intact" in chain


def test_findings_and_paths_come_from_the_snapshot(web: Web) -> None:
    admin = web.sign_in("carol", "sojourn-admins")
    report = admin.get("/findings/report").text
    assert "<h2>Findings</h2>" in report and "<style nonce=" in report
    paths = admin.get("/paths").text
    assert 'class="node"' in paths and 'class="hop"' in paths
    unknown = admin.get("/paths", params={"to": "arn:aws:iam::999999999999:role/Nope"})
    assert unknown.status_code == 404


def test_a_slow_form_post_does_not_hold_up_other_pages(web: Web) -> None:
    """Form handlers run use cases on a worker thread: while one campaign start is stuck, pages answer."""
    import threading

    carol = web.sign_in("carol", "sojourn-admins", "sojourn-approvers")
    service = web.client.app.state.web.reviews  # type: ignore[attr-defined]
    assert service is not None
    started, release = threading.Event(), threading.Event()
    real_start = service.start

    def stuck_start(*args: object, **kwargs: object) -> object:
        started.set()
        release.wait(10)
        return real_start(*args, **kwargs)

    service.start = stuck_start
    csrf = csrf_of(carol.get("/reviews").text)
    posted: list[int] = []
    poster = threading.Thread(
        target=lambda: posted.append(
            carol.post("/reviews", data={"csrf": csrf, "name": "q4"}, follow_redirects=False).status_code
        )
    )
    with carol:  # one event loop serves both requests, as in `sojourn serve`
        poster.start()
        try:
            assert started.wait(30)
            assert carol.get("/inbox").status_code == 200  # answered while the start is still stuck
            assert posted == []
        finally:
            release.set()
            poster.join(30)
            service.start = real_start
    assert posted == [303]
