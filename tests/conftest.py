"""Shared fixtures: a real moto server on 127.0.0.1 and real databases (SQLite file, PostgreSQL)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import fresh_database

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
MOTO_CALL_RATE = 1000.0
"""moto has no rate limit: pacing at AWS's 20 calls a second would only slow the suite down. The pacing
itself is tested against the AWS-like limiter (tests/demo/test_aws_limits.py, tests/aws/test_pacing.py)."""
os.environ.setdefault("SOJOURN_AWS_CALL_RATE", str(int(MOTO_CALL_RATE)))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"the shared material is expected beside the project at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """One moto server per test session; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def moto_endpoint(moto_server: str) -> str:
    """A freshly reset and seeded moto server, so IDs are identical on every run."""
    import urllib.request

    for path in ("/moto-api/reset", "/moto-api/seed?a=42"):
        request = urllib.request.Request(moto_server + path, method="POST", data=b"")
        with urllib.request.urlopen(request) as response:
            assert response.status == 200
    return moto_server


@pytest.fixture(autouse=True)
def _aws_test_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials so boto3 never looks for real ones; tests only ever talk to moto."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Signed audit checkpoints and their key in the test's own folder, never in the working tree."""
    monkeypatch.setenv("SOJOURN_AUDIT_CHECKPOINT_DIR", str(tmp_path / "audit-checkpoints"))
    monkeypatch.setenv("SOJOURN_AUDIT_KEY_FILE", str(tmp_path / "audit-key.pem"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    with fresh_database(request.param, tmp_path) as url:
        yield url
