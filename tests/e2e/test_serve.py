"""`sojourn serve` as a real process: the API answers on 127.0.0.1 and its worker provisions approvals."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from datetime import timedelta

import httpx

from tests.e2e.jit_fixtures import Jit, jit  # noqa: F401 - fixture

PROD = ("team-a-prod", "prod-admin")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_runs_the_api_and_the_worker(jit: Jit) -> None:  # noqa: F811
    code, output = jit.sojourn(
        "token",
        "create",
        "--name",
        "ops",
        "--role",
        "admin",
        "--role",
        "auditor",
        "--scope",
        "audit:read",
        "--scope",
        "grants:revoke",
        "--expires",
        "1d",
    )
    assert code == 0, output
    token = output.strip().splitlines()[-1]
    assert token.startswith("sjt_")
    port = free_port()
    env = {
        **os.environ,
        "SOJOURN_DATABASE_URL": jit.sojourn.database_url,
        "SOJOURN_AWS_ENDPOINT_URL": jit.sojourn.endpoint,
    }
    command = [sys.executable, "-c", "from sojourn.cli.main import app; app()", "serve", "--port", str(port)]
    server = subprocess.Popen([*command, "--config", str(jit.sojourn.config), "--tick", "0.2"], env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        bearer = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{base}/v1/audit", headers=bearer).status_code == 200
        assert httpx.get(f"{base}/v1/audit").status_code == 401
        made = jit.service.request(
            "alice", "prod-admin", ("team-a-prod",), timedelta(hours=4), "INC-3", "INC-3"
        )
        jit.service.approve(made.id, "erin")
        deadline = time.monotonic() + 20
        while PROD not in jit.holds("alice") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert PROD in jit.holds("alice")
        revoked = httpx.post(f"{base}/v1/requests/{made.id}/revoke", json={"reason": "drill"}, headers=bearer)
        assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
        deadline = time.monotonic() + 20
        while PROD in jit.holds("alice") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert PROD not in jit.holds("alice")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_cli_talks_to_the_same_service_over_http(jit: Jit) -> None:  # noqa: F811
    from tests.api.issuer import AUDIENCE, local_issuer

    with local_issuer() as issuer:
        port = free_port()
        env = {
            **os.environ,
            "SOJOURN_DATABASE_URL": jit.sojourn.database_url,
            "SOJOURN_AWS_ENDPOINT_URL": jit.sojourn.endpoint,
            "SOJOURN_OIDC_ISSUER": issuer.url,
            "SOJOURN_OIDC_AUDIENCE": AUDIENCE,
            "SOJOURN_OIDC_ROLE_MAP": '{"sre": "approver"}',
        }
        command = [
            sys.executable,
            "-c",
            "from sojourn.cli.main import app; app()",
            "serve",
            "--port",
            str(port),
        ]
        server = subprocess.Popen([*command, "--config", str(jit.sojourn.config), "--tick", "0.2"], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    httpx.get(f"{base}/health", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)

            cli = [sys.executable, "-c", "from sojourn.cli.main import app; app()"]

            def run(token: str, *args: str) -> subprocess.CompletedProcess[str]:
                remote = {**os.environ, "SOJOURN_API_URL": base, "SOJOURN_TOKEN": token}
                return subprocess.run([*cli, *args], env=remote, capture_output=True, text=True, timeout=60)

            alice, erin = issuer.token("alice", []), issuer.token("erin", ["sre"])
            made = run(
                alice,
                "request",
                "prod-admin",
                "--account",
                "team-a-prod",
                "--for",
                "1h",
                "--reason",
                "INC-77 over http",
                "--ticket",
                "INC-77",
                "--json",
            )
            assert made.returncode == 0, made.stderr
            request_id = json.loads(made.stdout)["id"]
            own = run(alice, "approve", request_id)
            assert own.returncode == 1 and "403" in own.stderr
            approved = run(erin, "approve", request_id, "--comment", "ok")
            assert approved.returncode == 0, approved.stderr
            deadline = time.monotonic() + 20
            while PROD not in jit.holds("alice") and time.monotonic() < deadline:
                time.sleep(0.2)
            assert PROD in jit.holds("alice")
        finally:
            server.terminate()
            server.wait(timeout=10)


def test_health_is_503_while_the_worker_cannot_tick_and_200_once_it_does(jit: Jit) -> None:  # noqa: F811
    import sqlalchemy

    port = free_port()
    env = {
        **os.environ,
        "SOJOURN_DATABASE_URL": jit.sojourn.database_url,
        "SOJOURN_AWS_ENDPOINT_URL": jit.sojourn.endpoint,
        "SOJOURN_WORKER_STALE_AFTER": "1",
    }
    command = [sys.executable, "-c", "from sojourn.cli.main import app; app()", "serve", "--port", str(port)]
    server = subprocess.Popen([*command, "--config", str(jit.sojourn.config), "--tick", "0.1"], env=env)
    base = f"http://127.0.0.1:{port}"
    engine = sqlalchemy.create_engine(jit.sojourn.database_url)

    def health_becomes(status: int) -> dict[str, str]:
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = httpx.get(f"{base}/health", timeout=1)
                if answer.status_code == status:
                    body: dict[str, str] = answer.json()
                    return body
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"/health never answered {status}"
            time.sleep(0.1)

    try:
        assert health_becomes(200) == {"status": "ok", "worker": "ticking"}
        with engine.connect() as locker:  # the worker's store is locked: its ticks cannot finish
            if engine.dialect.name == "sqlite":
                locker.exec_driver_sql("BEGIN EXCLUSIVE")
            else:
                locker.exec_driver_sql("BEGIN")
                locker.exec_driver_sql("LOCK TABLE grant_effects IN ACCESS EXCLUSIVE MODE")
            sick = health_becomes(503)
            assert sick["status"] == "unhealthy"  # "yet" when the locked worker was restarted meanwhile
            assert re.search(r"has not ticked (yet )?for \d", sick["worker"]), sick
            locker.rollback()
        assert health_becomes(200)["worker"] == "ticking"
    finally:
        engine.dispose()
        server.terminate()
        server.wait(timeout=10)
