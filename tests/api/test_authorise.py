"""Authorisation: deny by default, roles and scopes, and the FastAPI dependency answering 401 or 403."""

# No `from __future__ import annotations`: FastAPI must resolve the route annotations, which name locals.
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from sojourn.api.authorise import authenticated, authorised, require
from sojourn.api.identity import Caller, Forbidden, Role, Unauthenticated
from sojourn.api.oidc import OidcVerifier
from sojourn.api.tokens import InMemoryTokenRepository, issue_token
from tests.api.local_oidc import FakeTime, LocalIssuer

PERSON = Caller(subject="u1", user_name="ada", roles=frozenset({"requester"}), via="oidc")
ROBOT = Caller(
    subject="token:1",
    user_name="ci",
    roles=frozenset({"approver"}),
    via="token",
    scopes=frozenset({"audit:read"}),
)


def test_nobody_is_unauthenticated() -> None:
    with pytest.raises(Unauthenticated):
        require(None, Role.REQUESTER)


def test_a_route_must_name_its_roles() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        require(PERSON)
    with pytest.raises(ValueError, match="at least one role"):
        authorised(lambda: PERSON)


def test_one_of_the_roles_admits_and_none_forbids() -> None:
    assert require(PERSON, Role.REQUESTER, Role.APPROVER) is PERSON
    with pytest.raises(Forbidden, match="admin"):
        require(PERSON, Role.ADMIN)
    with pytest.raises(Forbidden):
        require(PERSON, Role.APPROVER, Role.AUDITOR)


def test_admin_is_not_implied() -> None:
    admin = Caller(subject="u2", user_name="root", roles=frozenset({"admin"}), via="oidc")
    with pytest.raises(Forbidden):
        require(admin, Role.AUDITOR)


def test_tokens_need_the_scope_as_well_as_the_role() -> None:
    assert require(ROBOT, Role.APPROVER, scope="audit:read") is ROBOT
    assert require(ROBOT, Role.APPROVER) is ROBOT
    with pytest.raises(Forbidden, match="approvals:write"):
        require(ROBOT, Role.APPROVER, scope="approvals:write")
    with pytest.raises(Forbidden):
        require(ROBOT, Role.AUDITOR, scope="audit:read")


def test_people_are_not_narrowed_by_scopes() -> None:
    assert require(PERSON, Role.REQUESTER, scope="requests:write") is PERSON


def test_a_caller_cannot_hold_an_unknown_role_or_method() -> None:
    with pytest.raises(ValueError, match="superuser"):
        Caller(subject="x", user_name="x", roles=frozenset({"superuser"}), via="oidc")
    with pytest.raises(ValueError, match="basic"):
        Caller(subject="x", user_name="x", roles=frozenset(), via="basic")  # type: ignore[arg-type]


@dataclass
class Api:
    client: TestClient
    issuer: LocalIssuer
    tokens: InMemoryTokenRepository
    time: FakeTime

    def bearer(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def person(self, *groups: str) -> dict[str, str]:
        return self.bearer(self.issuer.sign(self.issuer.claims(groups=list(groups))))

    def robot(self, role: Role, *scopes: str) -> str:
        expires = self.time.datetime() + timedelta(hours=1)
        plaintext, record = issue_token("ci", [role], scopes, expires, self.time.datetime())
        self.tokens.add(record)
        return plaintext


def build_app(verifier: OidcVerifier | None, tokens: InMemoryTokenRepository, time: FakeTime) -> FastAPI:
    current = authenticated(verifier, tokens, time.datetime)
    Requester = Annotated[Caller, Depends(authorised(current, Role.REQUESTER, scope="requests:write"))]
    Approver = Annotated[Caller, Depends(authorised(current, Role.APPROVER, scope="approvals:write"))]
    app = FastAPI()

    @app.get("/me")
    def me(caller: Annotated[Caller, Depends(current)]) -> dict[str, str]:
        return {"user": caller.user_name, "via": caller.via}

    @app.post("/requests")
    def open_request(caller: Requester) -> dict[str, str]:
        return {"opened_by": caller.user_name}

    @app.post("/approvals")
    def approve(caller: Approver) -> dict[str, str]:
        return {"approved_by": caller.user_name}

    return app


@pytest.fixture
def api(oidc_issuer: LocalIssuer, oidc_verifier: OidcVerifier, fake_time: FakeTime) -> Iterator[Api]:
    tokens = InMemoryTokenRepository()
    with TestClient(build_app(oidc_verifier, tokens, fake_time)) as client:
        yield Api(client, oidc_issuer, tokens, fake_time)


def test_no_header_is_401_with_a_bearer_challenge(api: Api) -> None:
    for path in ("/requests", "/approvals"):
        response = api.client.post(path)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert api.client.get("/me").status_code == 401


def test_other_schemes_are_401(api: Api) -> None:
    response = api.client.post("/requests", headers={"Authorization": "Basic YWRhOnNlY3JldA=="})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "sjt_nope", "sjt_0123456789abcdef_" + "a" * 43])
def test_bad_tokens_are_401_and_never_echoed_or_logged(
    api: Api, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = api.client.post("/requests", headers=api.bearer(token))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert token not in response.text
    assert token not in caplog.text


def test_a_forged_person_is_401(api: Api) -> None:
    header, payload, _ = api.issuer.sign(api.issuer.claims(groups=["aws-approvers"])).split(".")
    response = api.client.post("/approvals", headers=api.bearer(f"{header}.{payload}."))
    assert response.status_code == 401


def test_a_person_without_the_role_is_403_and_with_it_200(api: Api) -> None:
    response = api.client.post("/approvals", headers=api.person("aws-requesters"))
    assert response.status_code == 403
    assert "approver" in response.json()["detail"]
    response = api.client.post("/approvals", headers=api.person("aws-approvers"))
    assert response.status_code == 200
    assert response.json() == {"approved_by": "ada"}


def test_a_signed_in_person_without_any_role_is_403_everywhere_but_me(api: Api) -> None:
    headers = api.person("unrelated-group")
    assert api.client.get("/me", headers=headers).json() == {"user": "ada", "via": "oidc"}
    assert api.client.post("/requests", headers=headers).status_code == 403
    assert api.client.post("/approvals", headers=headers).status_code == 403


def test_api_tokens_need_role_and_scope(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    scoped = api.robot(Role.APPROVER, "approvals:write")
    unscoped = api.robot(Role.APPROVER, "audit:read")
    with caplog.at_level(logging.DEBUG):
        assert api.client.post("/approvals", headers=api.bearer(scoped)).json() == {"approved_by": "ci"}
        assert api.client.post("/approvals", headers=api.bearer(unscoped)).status_code == 403
        assert api.client.post("/requests", headers=api.bearer(scoped)).status_code == 403
    assert scoped not in caplog.text and unscoped not in caplog.text


def test_an_api_token_stops_working_when_revoked_or_expired(api: Api) -> None:
    token = api.robot(Role.APPROVER, "approvals:write")
    assert api.client.post("/approvals", headers=api.bearer(token)).status_code == 200
    api.time.advance(3600)
    assert api.client.post("/approvals", headers=api.bearer(token)).status_code == 401
    other = api.robot(Role.APPROVER, "approvals:write")
    api.tokens.revoke(other.split("_")[1], api.time.datetime())
    response = api.client.post("/approvals", headers=api.bearer(other))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_without_oidc_only_api_tokens_are_accepted(oidc_issuer: LocalIssuer, fake_time: FakeTime) -> None:
    tokens = InMemoryTokenRepository()
    with TestClient(build_app(None, tokens, fake_time)) as client:
        api = Api(client, oidc_issuer, tokens, fake_time)
        response = client.post("/requests", headers=api.person("aws-requesters"))
        assert response.status_code == 401
        assert "not configured" in response.json()["detail"]
        token = api.robot(Role.REQUESTER, "requests:write")
        assert client.post("/requests", headers=api.bearer(token)).json() == {"opened_by": "ci"}


def test_the_openapi_schema_declares_bearer_authentication(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert schema["paths"]["/approvals"]["post"]["security"] == [{"HTTPBearer": []}]
