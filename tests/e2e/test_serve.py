"""`sojourn serve` as a real process: the API answers on 127.0.0.1 and its worker provisions approvals."""

from __future__ import annotations

import os
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
