"""Hostile HTTP input on both databases: a clear 4xx and never a 5xx for odd claims, extreme dates and NUL
characters; 422s that do not echo the input; a body limit that answers 413 before the body is read; and
security headers on every answer."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from sojourn.api.app import ApiContext, create_app
from sojourn.api.auth_oidc import OidcSettings, OidcVerifier
from sojourn.clock import FixedClock
from sojourn.service.jit import Directory, JitService
from sojourn.store.memory import open_memory_store
from tests.api.issuer import AUDIENCE, Issuer, local_issuer
from tests.api.test_api import ROLES, Api, api  # noqa: F401 - fixture
from tests.e2e.conftest import s1  # noqa: F401 - fixture
from tests.e2e.jit_fixtures import T0, jit  # noqa: F401 - fixture

REQUEST = {
    "permission_set": "prod-admin",
    "accounts": ["team-a-prod"],
    "duration": "1h",
    "reason": "INC-7 x",
    "ticket": "INC-7",
}
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def no_directory() -> Directory:
    raise AssertionError("a refused request reached the use case")


def bare_context(max_body_bytes: int = 1 << 20, oidc: OidcVerifier | None = None) -> ApiContext:
    """An API over an in-memory store whose use cases must not be reached (no AWS needed)."""
    store, clock = open_memory_store(), FixedClock(T0)
    service = JitService(store.grants, clock, no_directory)
    if max_body_bytes == 1 << 20:  # the default
        return ApiContext(service, store.tokens, store.audit, clock, oidc)
    return ApiContext(service, store.tokens, store.audit, clock, oidc, max_body_bytes=max_body_bytes)


@pytest.fixture
def bare() -> Iterator[tuple[TestClient, Issuer]]:
    with local_issuer() as issuer:
        verifier = OidcVerifier(OidcSettings(issuer.url, AUDIENCE, role_map=ROLES))
        with TestClient(create_app(bare_context(oidc=verifier))) as client:
            yield client, issuer


def test_claims_of_the_wrong_shape_are_a_401_with_the_reason(bare: tuple[TestClient, Issuer]) -> None:
    client, issuer = bare
    for groups in (7, "sojourn-admins", {"sojourn-admins": True}, 1.5, True):
        bearer = {"Authorization": f"Bearer {issuer.token('alice', groups)}"}  # type: ignore[arg-type]
        answer = client.get("/v1/eligibility", headers=bearer)
        assert answer.status_code == 401, (groups, answer.text)
        assert "groups claim must be a list" in answer.json()["detail"]
    for user in ("al\x00ice", "a" * 300, "bob\nadmin"):
        bearer = {"Authorization": f"Bearer {issuer.token(user, [])}"}
        answer = client.get("/v1/eligibility", headers=bearer)
        assert answer.status_code == 401 and "not a usable name" in answer.json()["detail"]


EXTREMES = (
    "0001-01-01T00:00:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59.999999",
    "9999-12-31T23:59:59-14:00",
    "1899-12-31T23:59:59Z",
)


def audit_times_at_the_ends_of_the_range_are_clamped(api: Api) -> None:  # noqa: F811
    auditor = api.headers("audrey", "sojourn-auditors")
    everything = api.client.get("/v1/audit", headers=auditor).json()
    assert everything
    for when in EXTREMES:
        early = when.startswith(("0001", "1899"))
        since = api.client.get("/v1/audit", params={"since": when}, headers=auditor)
        until = api.client.get("/v1/audit", params={"until": when}, headers=auditor)
        assert (since.status_code, until.status_code) == (200, 200), (when, since.text, until.text)
        assert since.json() == (everything if early else [])
        assert until.json() == ([] if early else everything)


def test_nul_characters_are_a_422_and_extreme_dates_are_clamped(api: Api) -> None:  # noqa: F811
    alice, erin = api.headers("alice"), api.headers("erin", "sojourn-approvers")
    admin, auditor = api.headers("root", "sojourn-admins"), api.headers("audrey", "sojourn-auditors")
    made = api.client.post("/v1/requests", json=REQUEST, headers=alice)
    assert made.status_code == 201, made.text
    request_id = made.json()["id"]
    before = api.jit.store.audit.count()
    hostile = [
        ("POST", "/v1/requests", {**REQUEST, "reason": "INC-7 \x00"}, alice),
        ("POST", "/v1/requests", {**REQUEST, "ticket": "INC-7\x00"}, alice),
        ("POST", "/v1/requests", {**REQUEST, "accounts": ["team-a-prod\x00"]}, alice),
        ("POST", f"/v1/requests/{request_id}/approve", {"comment": "ok\x00"}, erin),
        ("POST", f"/v1/requests/{request_id}/deny", {"comment": "\x00"}, erin),
        ("POST", f"/v1/requests/{request_id}/revoke", {"reason": "x\x00"}, admin),
        ("POST", f"/v1/requests/{request_id}%00/approve", {}, erin),
        ("GET", f"/v1/requests/{request_id}%00", None, alice),
        (
            "POST",
            "/v1/tokens",
            {"name": "x", "scopes": ["requests:write"], "expires_in": "1d", "person": "al\x00ice"},
            admin,
        ),
        ("GET", "/v1/audit?person=al%00ice", None, auditor),
        ("GET", "/v1/audit?permission_set=prod%00", None, auditor),
    ]
    for method, path, body, headers in hostile:
        answer = api.client.request(method, path, json=body, headers=headers)
        assert answer.status_code == 422, (method, path, answer.status_code, answer.text)
    assert api.jit.store.audit.count() == before
    assert api.client.get(f"/v1/requests/{request_id}", headers=alice).json()["state"] == "pending"
    audit_times_at_the_ends_of_the_range_are_clamped(api)


def test_a_422_does_not_echo_the_input(bare: tuple[TestClient, Issuer]) -> None:
    client, issuer = bare
    alice = {"Authorization": f"Bearer {issuer.token('alice', [])}"}
    secretish = "SECRET-" + "x" * 100_000
    bodies = [
        {**REQUEST, "reason": "SECRET-" + secretish},
        {**REQUEST, "duration": secretish},
        {**REQUEST, "accounts": [secretish] * 8},
        {**REQUEST, secretish[:200]: 1},  # an unknown field is named, cut to 64 characters
    ]
    for body in bodies:
        answer = client.post("/v1/requests", json=body, headers=alice)
        assert answer.status_code == 422, answer.text[:300]
        assert "x" * 100 not in answer.text and len(answer.content) < 2_000
        assert all("input" not in problem for problem in answer.json()["detail"])


def test_security_headers_are_on_every_answer(bare: tuple[TestClient, Issuer]) -> None:
    client, issuer = bare
    alice = {"Authorization": f"Bearer {issuer.token('alice', [])}"}
    answers = [
        client.get("/health"),
        client.get("/openapi.json"),
        client.get("/v1/requests"),
        client.get("/v1/requests/nope", headers=alice),
        client.post("/v1/requests", json={}, headers=alice),
        client.post("/v1/requests", content=b"x" * (2 << 20), headers=alice),
    ]
    assert [a.status_code for a in answers] == [200, 200, 401, 404, 422, 413]
    for answer in answers:
        for name, value in HEADERS.items():
            assert answer.headers.get(name) == value, (answer.status_code, name)
        policy = answer.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_a_body_over_the_limit_is_413_before_authentication(bare: tuple[TestClient, Issuer]) -> None:
    client, issuer = bare
    big = b'{"reason": "' + b"x" * (1 << 20) + b'"}'
    answer = client.post("/v1/requests", content=big, headers={"content-type": "application/json"})
    assert answer.status_code == 413 and "larger than 1048576 bytes" in answer.json()["detail"]
    alice = {"Authorization": f"Bearer {issuer.token('alice', [])}"}
    fits = client.post("/v1/requests", content=big[: 1 << 19] + b'"}', headers=alice)
    assert fits.status_code == 422


def test_a_streamed_body_is_cut_off_at_the_limit_without_reading_the_rest() -> None:
    app = create_app(bare_context(max_body_bytes=1000))
    chunk, pulled, sent = b"x" * 100, [], []

    async def receive() -> dict[str, Any]:
        pulled.append(1)
        return {"type": "http.request", "body": chunk, "more_body": len(pulled) < 10_000}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/requests",
        "raw_path": b"/v1/requests",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413
    assert len(pulled) <= 11  # 1000 bytes and one chunk more, of 1 MB offered


@pytest.fixture
def live_server() -> Iterator[int]:
    app = create_app(bare_context())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_the_server_answers_413_to_a_declared_200_mb_body_without_waiting_for_it(live_server: int) -> None:
    with socket.create_connection(("127.0.0.1", live_server), timeout=5) as connection:
        connection.sendall(
            b"POST /v1/requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 200000000\r\n\r\n" + b"x" * 1000
        )
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_the_server_cuts_off_a_chunked_body_at_the_limit(live_server: int) -> None:
    chunk = b"x" * 65536
    with socket.create_connection(("127.0.0.1", live_server), timeout=5) as connection:
        connection.sendall(
            b"POST /v1/requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        sent = 0
        try:
            for _ in range(3200):  # 200 MB offered
                connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except OSError:
            pass
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 50 << 20
