"""The HTTP API against moto and both databases: authentication, roles, self-approval, the whole flow."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import jwt
import pytest
from fastapi.testclient import TestClient

from sojourn.api.app import ApiContext, create_app
from sojourn.api.auth_oidc import OidcSettings, OidcVerifier
from tests.api.issuer import AUDIENCE, Issuer, local_issuer
from tests.e2e.conftest import s1  # noqa: F401 - fixture
from tests.e2e.jit_fixtures import Jit, jit  # noqa: F401 - fixture

ROLES = {"sojourn-approvers": "approver", "sojourn-admins": "admin", "sojourn-auditors": "auditor"}


@dataclass
class Api:
    client: TestClient
    issuer: Issuer
    jit: Jit

    def headers(self, user: str, *groups: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.issuer.token(user, list(groups))}"}


@pytest.fixture
def api(jit: Jit) -> Iterator[Api]:  # noqa: F811
    with local_issuer() as issuer:
        verifier = OidcVerifier(OidcSettings(issuer.url, AUDIENCE, role_map=ROLES))
        context = ApiContext(jit.service, jit.store.tokens, jit.store.audit, jit.clock, verifier)
        with TestClient(create_app(context)) as client:
            yield Api(client, issuer, jit)


def protected_routes(client: TestClient) -> list[tuple[str, str]]:
    schema = client.get("/openapi.json").json()
    return [
        (method.upper(), path.replace("{request_id}", "x"))
        for path, operations in schema["paths"].items()
        for method in operations
        if path != "/health"
    ]


def test_every_route_refuses_missing_expired_and_forged_credentials(api: Api) -> None:
    now_expired = api.issuer.token("alice", [], lifetime=-120)
    forged = api.issuer.token("alice", ["sojourn-admins"], key=api.issuer.other)
    none_alg = jwt.encode(
        {"iss": api.issuer.url, "aud": AUDIENCE, "preferred_username": "alice"}, None, algorithm="none"
    )
    routes = protected_routes(api.client)
    assert len(routes) >= 10
    for method, path in routes:
        for headers in (
            {},
            {"Authorization": "Basic x"},
            {"Authorization": f"Bearer {now_expired}"},
            {"Authorization": f"Bearer {forged}"},
            {"Authorization": f"Bearer {none_alg}"},
            {"Authorization": "Bearer sjt_0123456789abcdef_" + "A" * 43},
        ):
            answer = api.client.request(method, path, headers=headers, json={})
            assert answer.status_code == 401, (method, path, headers, answer.text)
            assert answer.headers["www-authenticate"] == "Bearer"


def test_roles_are_required_and_self_approval_is_refused(api: Api) -> None:
    alice = api.headers("alice", "sojourn-approvers")
    body = {
        "permission_set": "prod-admin",
        "accounts": ["team-a-prod"],
        "duration": "2h",
        "reason": "INC-1 x",
        "ticket": "INC-1",
    }
    made = api.client.post("/v1/requests", json=body, headers=alice)
    assert made.status_code == 201, made.text
    request_id = made.json()["id"]
    own = api.client.post(f"/v1/requests/{request_id}/approve", json={}, headers=alice)
    assert own.status_code == 403 and "own request" in own.json()["detail"]
    plain = api.client.post(f"/v1/requests/{request_id}/approve", json={}, headers=api.headers("erin"))
    assert plain.status_code == 403  # erin is an eligible approver, but her token lacks the approver role
    assert api.client.get("/v1/audit", headers=api.headers("bob")).status_code == 403
    assert api.client.get(f"/v1/requests/{request_id}", headers=api.headers("dave")).status_code == 404
    approved = api.client.post(
        f"/v1/requests/{request_id}/approve",
        json={"comment": "ok"},
        headers=api.headers("erin", "sojourn-approvers"),
    )
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    api.jit.worker.tick()
    assert ("team-a-prod", "prod-admin") in api.jit.holds("alice")
    again = api.client.post(
        f"/v1/requests/{request_id}/approve", json={}, headers=api.headers("carol", "sojourn-approvers")
    )
    assert again.status_code == 409


def test_api_tokens_are_shown_once_scoped_and_checked(api: Api) -> None:
    admin = api.headers("root", "sojourn-admins")
    body = {"name": "siem", "roles": ["auditor"], "scopes": ["audit:read"], "expires_in": "1d"}
    made = api.client.post("/v1/tokens", json=body, headers=admin)
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    stored = api.jit.store.tokens.get(made.json()["token_id"])
    assert stored is not None and token.split("_")[-1] not in repr(stored)
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/v1/audit", headers=bearer).status_code == 200
    create = {"permission_set": "prod-admin", "accounts": ["team-a-prod"], "duration": "1h"}
    assert api.client.post("/v1/requests", json=create, headers=bearer).status_code == 403
    wrong = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert api.client.get("/v1/audit", headers={"Authorization": f"Bearer {wrong}"}).status_code == 401
    api.jit.clock.advance(days=1)
    assert api.client.get("/v1/audit", headers=bearer).status_code == 401
    assert api.client.post("/v1/tokens", json=body, headers=api.headers("bob")).status_code == 403


def test_audit_answers_who_held_what_when_approved_by_whom(api: Api) -> None:
    body = {
        "permission_set": "prod-admin",
        "accounts": ["team-a-prod"],
        "duration": "1h",
        "reason": "INC-2",
        "ticket": "INC-2",
    }
    made = api.client.post("/v1/requests", json=body, headers=api.headers("alice")).json()
    api.client.post(
        f"/v1/requests/{made['id']}/approve", json={}, headers=api.headers("carol", "sojourn-approvers")
    )
    api.jit.worker.tick()
    api.jit.clock.advance(hours=1)
    api.jit.worker.tick()
    records = api.client.get(
        "/v1/audit",
        params={"permission_set": "prod-admin", "account_id": api.jit.aws.accounts["team-a-prod"]},
        headers=api.headers("audrey", "sojourn-auditors"),
    ).json()
    actions = [(r["action"], r["person"]) for r in records]
    assert ("jit.grant", "alice") in actions and ("jit.expire", "alice") in actions
    approvals = api.jit.store.audit.query(action="jit.approve", person="alice")
    assert [r.event.actor for r in approvals] == ["carol"]
