"""The web pages in Chromium against `sojourn serve` and moto: a just-in-time grant from request to end,
an access review from start to the assignment gone from AWS, axe and a screenshot on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import fresh_database
from tests.e2e.conftest import s1  # noqa: F401 - fixture
from tests.e2e.jit_fixtures import jit  # noqa: F401 - fixture
from tests.web.browser import Served, served, wait_for  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.postgres]
WANTED = {("team-a-prod", "prod-admin"), ("team-b-prod", "prod-admin")}
REVIEWS = """reviews:
  reviewers: [team_lead, account_owner, named]
  team_leads: {team-a: [bob]}
  people: [erin]
  deadline: 7d
  deadline_action: revoke
"""


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """PostgreSQL alone: the server and the test share it as a deployment would (the pages run on SQLite
    too, in test_web_pages.py)."""
    with fresh_database("postgresql", tmp_path) as url:
        yield url


def test_a_grant_requested_refused_to_its_requester_approved_by_another_held_and_revoked(
    served: Served,  # noqa: F811
) -> None:
    erin = served.person("erin", "sojourn-approvers")
    served.check(erin, "my-access")
    erin.keyboard.press("Tab")
    assert erin.evaluate("document.activeElement.textContent") == "Skip to content"
    erin.set_viewport_size({"width": 390, "height": 844})  # a phone: one column, nothing wider than it
    assert erin.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    served.check(erin, "my-access-phone")
    erin.set_viewport_size({"width": 1100, "height": 900})

    erin.get_by_role("link", name="Request access").first.click()
    erin.get_by_label("Permission set").select_option("prod-admin")
    erin.get_by_label(re.compile(r"^\s*team-a-prod")).check()
    erin.get_by_label(re.compile(r"^\s*team-b-prod")).check()
    erin.get_by_label(re.compile("^Duration in hours")).fill("1")
    erin.get_by_label("Reason").fill("INC-42 disk full on both prods")
    served.check(erin, "request-form")
    erin.get_by_role("button", name="Send request").click()
    erin.wait_for_url(re.compile(r"/requests/[0-9a-f]+$"))
    request_id = erin.url.rsplit("/", 1)[1]
    assert erin.locator("#request-state").inner_text().startswith("pending")
    served.check(erin, "request-detail")

    erin.get_by_role("button", name="Approve").click()
    assert "may not approve or deny your own request" in erin.get_by_role("alert").inner_text()
    assert served.jit.service.get(request_id).state.value == "pending"
    erin.evaluate("window.sojournNotReloaded = true")

    carol = served.person("carol", "sojourn-approvers", "sojourn-admins")
    carol.get_by_role("link", name="Inbox").click()
    assert request_id in carol.locator("#live-inbox").inner_text()
    served.check(carol, "inbox")
    carol.get_by_label("Comment").first.fill("go ahead")
    carol.get_by_role("button", name="Approve").first.click()
    carol.wait_for_url(served.base + "/inbox")
    assert request_id not in carol.locator("#live-inbox").inner_text()

    wait_for(lambda: served.jit.holds("erin") >= WANTED, 120, "the assignments in AWS")
    erin.locator("#request-state").filter(has_text="active").wait_for(timeout=60_000)
    assert erin.evaluate("window.sojournNotReloaded") is True  # updated in place, not reloaded
    assert "approved by carol: go ahead" in erin.locator("#live-request").inner_text()

    carol.get_by_role("link", name="Grants now").click()
    assert request_id in carol.get_by_role("table").inner_text()
    served.check(carol, "grants-now")

    erin.goto(f"{served.base}/requests/{request_id}")
    erin.get_by_label("Reason").fill("fixed")
    erin.get_by_role("button", name="Revoke").click()
    erin.locator("#request-state").filter(has_text="revoked").wait_for(timeout=60_000)
    wait_for(lambda: not (WANTED & served.jit.holds("erin")), 120, "the assignments gone from AWS")
    erin.locator("#live-request").filter(has_text="access removed from AWS").wait_for(timeout=60_000)
    served.check(erin, "request-revoked")

    others = [
        ("/audit", "audit"), ("/findings", "findings"), ("/findings/report", "findings-report"),
        ("/paths", "paths"), ("/dashboard", "dashboard"), ("/reviews", "reviews"),
    ]  # fmt: skip
    for path, name in others:
        carol.goto(served.base + path)
        served.check(carol, name)
    carol.goto(served.base + "/audit")
    carol.locator("#chain").filter(has_text="intact").wait_for(timeout=60_000)


def test_a_review_certifies_one_revokes_one_and_the_applied_plan_removes_it_from_aws(
    served: Served,  # noqa: F811
    tmp_path: Path,
) -> None:
    sojourn = served.jit.sojourn
    sojourn.write("reviews.yaml", REVIEWS)
    assert ("team-a-prod", "developer") in served.jit.holds("alice")

    carol = served.person("carol", "sojourn-admins")
    carol.get_by_role("link", name="Reviews").click()
    carol.get_by_label("Name", exact=True).fill("team-a prod")
    carol.get_by_label(re.compile("^Accounts")).fill("team-a-prod")
    carol.get_by_label(re.compile("^Permission sets")).fill("developer")
    carol.get_by_role("button", name="Start campaign").click()
    carol.wait_for_url(re.compile(r"/reviews/rv-"))
    campaign = carol.url.rsplit("/", 1)[1]
    served.check(carol, "review-campaign")
    items = {i.subject: i.item_id for i in served.jit.store.reviews.get(campaign).items}
    assert set(items) == {"alice", "bob"}

    bob = served.person("bob", "sojourn-approvers")
    bob.goto(f"{served.base}/reviews/{campaign}")
    row = bob.locator(f"tr#{items['alice']}")
    row.get_by_label("Decision").select_option("revoke")
    row.get_by_label("Comment").fill("moved to team b")
    row.get_by_role("button", name="Decide").click()
    assert "revoke by bob: moved to team b" in bob.locator(f"tr#{items['alice']}").inner_text()
    assert bob.locator(f"tr#{items['bob']}").get_by_role("button").count() == 0  # never his own access

    erin = served.person("erin", "sojourn-approvers")
    erin.goto(f"{served.base}/reviews/{campaign}")
    row = erin.locator(f"tr#{items['bob']}")
    row.get_by_label("Decision").select_option("certify")
    row.get_by_label("Comment").fill("on call")
    row.get_by_role("button", name="Decide").click()
    served.check(erin, "review-decided")

    carol.reload()
    carol.get_by_label(re.compile("Close before the deadline")).check()
    carol.get_by_role("button", name="Close and write the revocations").click()
    assert "1 revocation(s) written" in carol.get_by_role("status").inner_text()
    served.check(carol, "review-closed")
    carol.get_by_role("link", name="Evidence report").click()
    served.check(carol, "review-evidence")

    code, output = sojourn("plan", "-c", str(sojourn.config), "--out", str(tmp_path / "review.plan"))
    assert code == 2, output
    code, output = sojourn("apply", str(tmp_path / "review.plan"), "--reason", f"access review {campaign}")
    assert code == 0, output
    assert ("team-a-prod", "developer") not in served.jit.holds("alice")
    assert ("team-a-prod", "developer") in served.jit.holds("bob")
