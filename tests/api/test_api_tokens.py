"""API tokens over HTTP and the CLI, on both databases: a token mints only within its own scopes, roles and
lifetime; issuing and revoking are audited; revoked tokens are refused; a token bound to a person acts as
that person (never approving their own request) and the audit log says which token acted for whom."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from sojourn.cli.main import app
from tests.api.test_api import Api, api  # noqa: F401 - fixture
from tests.e2e.conftest import EXAMPLE, s1  # noqa: F401 - fixture
from tests.e2e.jit_fixtures import jit  # noqa: F401 - fixture

REQUEST = {
    "permission_set": "prod-admin",
    "accounts": ["team-a-prod"],
    "duration": "1h",
    "reason": "INC-9 failover",
    "ticket": "INC-9",
}
ALL_SCOPES = ["requests:write", "approvals:write", "grants:revoke", "audit:read", "tokens:admin"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_mints_and_revokes_only_within_its_own_limits_and_both_are_audited(api: Api) -> None:  # noqa: F811
    root = api.headers("root", "sojourn-admins")
    body = {"name": "mgr", "roles": ["admin"], "scopes": ["tokens:admin"], "expires_in": "30d"}
    manager = api.client.post("/v1/tokens", json=body, headers=root)
    assert manager.status_code == 201, manager.text
    as_manager = bearer(manager.json()["token"])
    escalations = [
        {"name": "all", "roles": ["admin", "auditor"], "scopes": ALL_SCOPES, "expires_in": "9999d"},
        {"name": "all", "roles": ["admin"], "scopes": ALL_SCOPES, "expires_in": "1d"},
        {"name": "aud", "roles": ["auditor"], "scopes": ["tokens:admin"], "expires_in": "1d"},
        {"name": "long", "roles": ["admin"], "scopes": ["tokens:admin"], "expires_in": "31d"},
        {"name": "as-alice", "scopes": ["tokens:admin"], "expires_in": "1d", "person": "alice"},
    ]
    for escalation in escalations:
        refused = api.client.post("/v1/tokens", json=escalation, headers=as_manager)
        assert refused.status_code in (403, 422), (escalation, refused.text)
    assert [t["name"] for t in api.client.get("/v1/tokens", headers=root).json()] == ["mgr"]
    child = api.client.post(
        "/v1/tokens", json={**body, "name": "child", "expires_in": "7d"}, headers=as_manager
    )
    assert child.status_code == 201, child.text
    child_id = child.json()["token_id"]
    assert api.client.get("/v1/tokens", headers=bearer(child.json()["token"])).status_code == 200

    revoked = api.client.post(f"/v1/tokens/{child_id}/revoke", json={"reason": "rotated"}, headers=as_manager)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert api.client.get("/v1/tokens", headers=bearer(child.json()["token"])).status_code == 401
    again = api.client.post(f"/v1/tokens/{child_id}/revoke", json={}, headers=root)
    assert again.status_code == 422 and "revoked already" in again.json()["detail"]
    assert api.client.post("/v1/tokens/ffffffffffffffff/revoke", json={}, headers=root).status_code == 404
    assert api.client.post("/v1/tokens/nothex/revoke", json={}, headers=root).status_code == 422
    plain = api.client.post(f"/v1/tokens/{child_id}/revoke", json={}, headers=api.headers("bob"))
    assert plain.status_code == 403

    manager_id = manager.json()["token_id"]
    log = [
        (r.event.actor, r.event.action, r.event.target, r.event.details.get("via_token"))
        for r in api.jit.store.audit.query(action="token.*")
    ]
    assert log == [
        ("root", "token.create", f"token:{manager_id}", None),
        ("token:mgr", "token.create", f"token:{child_id}", manager_id),
        ("token:mgr", "token.revoke", f"token:{child_id}", manager_id),
    ]
    assert api.jit.store.audit.verify().ok


def test_a_token_bound_to_a_person_acts_as_that_person_and_says_so_in_the_audit(api: Api) -> None:  # noqa: F811
    code, output = api.jit.sojourn(
        "token",
        "create",
        "--person",
        "alice",
        "--scopes",
        "request,approve",
        "-c",
        str(api.jit.sojourn.config),
    )
    assert code == 0, output
    assert "acting for alice" in output
    alice_token = output.strip().splitlines()[-1]
    alice_id = alice_token.split("_")[1]
    root = api.headers("root", "sojourn-admins")
    erin = api.client.post(
        "/v1/tokens",
        json={"name": "erin-bot", "scopes": ["approvals:write"], "expires_in": "1d", "person": "erin"},
        headers=root,
    )
    assert erin.status_code == 201 and erin.json()["person"] == "erin", erin.text
    stranger = {"name": "m", "scopes": ["requests:write"], "expires_in": "1d", "person": "mallory"}
    unknown = api.client.post("/v1/tokens", json=stranger, headers=root)
    assert unknown.status_code == 422 and "not a person of the configuration" in unknown.json()["detail"]

    made = api.client.post("/v1/requests", json=REQUEST, headers=bearer(alice_token))
    assert made.status_code == 201, made.text
    assert made.json()["person"] == "alice"
    request_id = made.json()["id"]
    own = api.client.post(f"/v1/requests/{request_id}/approve", json={}, headers=bearer(alice_token))
    assert own.status_code == 403 and "own request" in own.json()["detail"]
    mint = {"name": "x", "scopes": ["requests:write"], "expires_in": "1d", "person": "alice"}
    assert api.client.post("/v1/tokens", json=mint, headers=bearer(alice_token)).status_code == 403
    approved = api.client.post(
        f"/v1/requests/{request_id}/approve", json={"comment": "go"}, headers=bearer(erin.json()["token"])
    )
    assert approved.status_code == 200 and approved.json()["state"] == "approved", approved.text
    api.jit.worker.tick()
    assert ("team-a-prod", "prod-admin") in api.jit.holds("alice")

    assert [r.event.actor for r in api.jit.store.audit.query(action="jit.approve")] == ["erin"]
    on_behalf = api.jit.store.audit.query(action="token.on_behalf")
    assert [(r.event.actor, r.event.details["did"], r.event.target) for r in on_behalf] == [
        ("alice", "request", f"request:{request_id}"),
        ("erin", "approve", f"request:{request_id}"),
    ]
    assert on_behalf[0].event.details["via_token"] == alice_id
    assert f"via API token {alice_id} on behalf of alice" in on_behalf[0].event.reason
    created = api.jit.store.audit.query(action="token.create")[0].event
    assert (created.actor, created.person) == ("e2e-admin", "alice")

    code, output = api.jit.sojourn("token", "revoke", alice_id, "--reason", "left the team")
    assert code == 0, output
    assert api.client.get("/v1/requests", headers=bearer(alice_token)).status_code == 401
    code, output = api.jit.sojourn("token", "list")
    assert code == 0 and f"{alice_id}  alice for alice" in output and "revoked" in output


def test_token_commands_fail_with_one_clear_line(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'sojourn.db'}"

    def sojourn(*args: str) -> tuple[int, str]:
        env = {"SOJOURN_DATABASE_URL": database, "SOJOURN_ACTOR": "ops", "COLUMNS": "200"}
        result = CliRunner().invoke(app, list(args), env=env)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result.exit_code, result.output

    cases = [
        (
            ("--name", "ci", "--scopes", "audit", "--expires", "99999999999d"),
            "is longer than",
        ),
        (("--name", "ci", "--scopes", "audit", "--expires", "400d"), "at most 366 days"),
        (("--name", "ci", "--scopes", "audit", "--expires", "soon"), "not a duration"),
        (("--name", "ci", "--scopes", "everything"), "unknown scope"),
        (("--name", "ci", "--scopes", "audit", "--role", "root"), "unknown role"),
        (("--person", "mallory", "--scopes", "request", "-c", str(EXAMPLE)), "not a person"),
        (("--person", "alice", "--scopes", "request", "-c", str(tmp_path / "none")), "no such configuration"),
    ]
    for args, message in cases:
        code, output = sojourn("token", "create", *args)
        assert code == 1 and message in output and "Traceback" not in output, (args, output)
    code, output = sojourn("token", "revoke", "ffffffffffffffff")
    assert code == 1 and "no API token" in output
    code, output = sojourn("token", "create", "--person", "alice", "--scopes", "request", "-c", str(EXAMPLE))
    assert code == 0 and output.strip().splitlines()[-1].startswith("sjt_"), output
    code, output = sojourn("token", "list")
    assert code == 0 and len(output.strip().splitlines()) == 1 and "alice for alice" in output
