"""Access reviews over HTTP against moto: roles and scopes (deny by default), a reviewer's pending items,
self-review and the wrong reviewer refused, closing with the outcome patch, evidence as JSON and CSV."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from sojourn.api.app import ApiContext, create_app
from sojourn.service.reviews import ReviewService
from sojourn.service.tokens import issue_token
from tests.e2e.conftest import s1  # noqa: F401 - fixture
from tests.e2e.jit_fixtures import Jit, jit  # noqa: F401 - fixture

REVIEWS = "reviews: {team_leads: {team-a: [bob]}, people: [erin], deadline: 7d}\n"


@dataclass
class ReviewApi:
    client: TestClient
    jit: Jit

    def token(self, person: str, roles: list[str], scopes: set[str]) -> dict[str, str]:
        now = self.jit.clock.now()
        text, record = issue_token(
            person, roles, frozenset(scopes), now + timedelta(days=1), now, person=person
        )
        self.jit.store.tokens.add(record)
        return {"Authorization": f"Bearer {text}"}


@pytest.fixture
def api(jit: Jit) -> Iterator[ReviewApi]:  # noqa: F811
    jit.sojourn.write("reviews.yaml", REVIEWS)
    reviews = ReviewService(
        jit.store.reviews,
        jit.clock,
        jit.sojourn.config,
        lambda region, instance: jit.gateway,
        grants=jit.store.grants,
        audit=jit.store.audit,
    )
    context = ApiContext(jit.service, jit.store.tokens, jit.store.audit, jit.clock, reviews=reviews)
    with TestClient(create_app(context)) as client:
        yield ReviewApi(client, jit)


def test_a_campaign_over_http_with_deny_by_default(api: ReviewApi) -> None:
    admin = api.token("carol", ["admin"], {"reviews:admin", "reviews:read"})
    bob = api.token("bob", ["approver"], {"reviews:write"})
    erin = api.token("erin", ["approver"], {"reviews:write"})
    auditor = api.token("dave", ["auditor"], {"reviews:read"})
    scope = {"name": "prod", "accounts": ["team-a-prod"], "permission_sets": ["developer"]}

    assert api.client.post("/v1/reviews", json=scope).status_code == 401
    assert api.client.post("/v1/reviews", json=scope, headers=bob).status_code == 403
    assert api.client.post("/v1/reviews", json=scope, headers=auditor).status_code == 403
    started = api.client.post("/v1/reviews", json=scope, headers=admin)
    assert started.status_code == 201, started.text
    campaign = started.json()
    cid = campaign["id"]
    items = {i["subject"]: i for i in campaign["items"]}
    assert {s: i["reviewer"] for s, i in items.items()} == {"alice": "bob", "bob": "erin"}

    assert api.client.get("/v1/reviews", headers=bob).status_code == 403  # reviewers see their own items
    mine = api.client.get("/v1/reviews/mine", headers=bob).json()
    assert [(m["campaign"], m["item"]["subject"]) for m in mine] == [(cid, "alice")]

    decide = f"/v1/reviews/{cid}/items/{{}}/decision"
    own = api.client.post(decide.format(items["bob"]["item"]), json={"decision": "certify"}, headers=bob)
    assert own.status_code == 403 and "own access" in own.json()["detail"]
    other = api.client.post(decide.format(items["alice"]["item"]), json={"decision": "certify"}, headers=erin)
    assert other.status_code == 403 and "assigned to bob" in other.json()["detail"]
    body = {"decision": "revoke", "comment": "left the team"}
    assert api.client.post(decide.format(items["alice"]["item"]), json=body, headers=bob).status_code == 200
    again = api.client.post(decide.format(items["alice"]["item"]), json=body, headers=bob)
    assert again.status_code == 409

    early = api.client.post(f"/v1/reviews/{cid}/close", json={}, headers=admin)
    assert early.status_code == 409 and "has not come" in early.json()["detail"]
    assert api.client.post(f"/v1/reviews/{cid}/remind", headers=admin).json() == {"reviewers": {"erin": 1}}
    closed = api.client.post(f"/v1/reviews/{cid}/close", json={"early": True}, headers=admin)
    assert closed.status_code == 200, closed.text
    outcome = closed.json()
    assert outcome["revocations"] == 1 and not outcome["written"]
    assert outcome["config_file"] == f"review-{cid}.yaml" and '+    person: "alice"' in outcome["patch"]
    assert not (api.jit.sojourn.config / outcome["config_file"]).exists()

    rows = api.client.get(f"/v1/reviews/{cid}/evidence", headers=auditor).json()
    assert {(r["subject"], r["decision"], r["decided_by"]) for r in rows} == {
        ("alice", "revoke", "bob"),
        ("bob", "undecided", ""),
    }
    csv_answer = api.client.get(f"/v1/reviews/{cid}/evidence.csv", headers=auditor)
    assert csv_answer.headers["content-type"].startswith("text/csv") and "left the team" in csv_answer.text
    assert api.client.get(f"/v1/reviews/{cid}/evidence", headers=bob).status_code == 403
    assert api.client.get("/v1/reviews/rv-missing", headers=auditor).status_code == 404
    actions = [r.event.action for r in api.jit.store.audit.query(action="review.*")]
    assert actions == ["review.start", "review.revoke", "review.close"]


def test_without_a_review_service_the_routes_answer_404(jit: Jit) -> None:  # noqa: F811
    context = ApiContext(jit.service, jit.store.tokens, jit.store.audit, jit.clock)
    now = jit.clock.now()
    text, record = issue_token("ops", ["admin"], frozenset({"reviews:read"}), now + timedelta(days=1), now)
    jit.store.tokens.add(record)
    with TestClient(create_app(context)) as client:
        answer = client.get("/v1/reviews", headers={"Authorization": f"Bearer {text}"})
    assert answer.status_code == 404 and "not served" in answer.json()["detail"]
