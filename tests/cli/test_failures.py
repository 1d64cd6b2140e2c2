"""Issue 14, defect 2: every error a command meets is one line with a hint and exit 1, never a traceback.

Each class is produced for real: no credentials in the environment, a port nobody listens on, moto
enforcing IAM on a user that lacks an action, an endpoint answering ExpiredTokenException, a SQLite file
opened read-only, locked by another connection or stamped by a newer migration, PostgreSQL not answering.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from sojourn.cli.main import app
from sojourn.demo.seed import seed_s1_organization
from sojourn.failures import explain_failure

CONFIG = Path(__file__).resolve().parents[2] / "src" / "sojourn" / "demo" / "config"
NO_AWS = {
    "AWS_ACCESS_KEY_ID": None,
    "AWS_SECRET_ACCESS_KEY": None,
    "AWS_SESSION_TOKEN": None,
    "AWS_PROFILE": None,
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
    "AWS_CONFIG_FILE": "/nonexistent/config",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": None,
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": None,
}


def run(*args: str, env: dict[str, str | None]) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **env})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'sojourn.db'}"


def test_plan_without_credentials_is_one_line_and_a_hint_in_a_real_process(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SOJOURN_"))}
    env |= {k: v for k, v in NO_AWS.items() if v is not None} | {"SOJOURN_DATABASE_URL": database(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", "from sojourn.cli.main import app; app()", "plan", "-c", str(CONFIG)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert lines[0] == "error: no usable AWS credentials (Unable to locate credentials)"
    assert lines[1].startswith("  hint: ") and "AWS_PROFILE" in lines[1]
    assert len(lines) == 2


def test_plan_against_an_endpoint_that_does_not_answer(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}"
    code, output = run(
        "plan",
        "-c",
        str(CONFIG),
        "--endpoint-url",
        endpoint,
        env={"SOJOURN_DATABASE_URL": database(tmp_path)},
    )
    assert code == 1
    assert f'AWS did not answer: Could not connect to the endpoint URL: "{endpoint}/"' in output
    assert "hint: check the network, or --endpoint-url" in output


@pytest.fixture
def moto_enforcing_iam(moto_endpoint: str) -> Iterator[tuple[str, dict[str, str]]]:
    """moto with S1 seeded and a user allowed organizations:* only; IAM is enforced until the test ends."""
    seed_s1_organization(moto_endpoint)
    iam = boto3.client("iam", endpoint_url=moto_endpoint, region_name="us-east-1")
    iam.create_user(UserName="planner")
    allow = {"Effect": "Allow", "Action": ["organizations:*"], "Resource": "*"}
    iam.put_user_policy(
        UserName="planner",
        PolicyName="organizations-only",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [allow]}),
    )
    key = iam.create_access_key(UserName="planner")["AccessKey"]
    _enforce_iam(moto_endpoint, "0")
    try:
        yield (
            moto_endpoint,
            {
                "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
                "AWS_SESSION_TOKEN": None,
            },
        )
    finally:
        _enforce_iam(moto_endpoint, "inf")


def _enforce_iam(endpoint: str, after_requests: str) -> None:
    request = urllib.request.Request(
        endpoint + "/moto-api/reset-auth",
        data=after_requests.encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 200


def test_access_denied_names_the_missing_iam_action(
    moto_enforcing_iam: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    endpoint, credentials = moto_enforcing_iam
    env = credentials | {"SOJOURN_DATABASE_URL": database(tmp_path), "SOJOURN_AWS_ENDPOINT_URL": endpoint}
    code, output = run("plan", "-c", str(CONFIG), env=env)
    assert code == 1
    assert "error: AWS denied sso:ListInstances (AccessDenied on ListInstances)" in output
    assert "allow sso:ListInstances to the role Sojourn runs as; docs/iam-policy.md" in output


def test_credentials_aws_does_not_know_are_named_so(
    moto_enforcing_iam: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    endpoint, credentials = moto_enforcing_iam
    env = credentials | {
        "AWS_ACCESS_KEY_ID": "AKIADELETEDKEY000000",
        "SOJOURN_DATABASE_URL": database(tmp_path),
        "SOJOURN_AWS_ENDPOINT_URL": endpoint,
    }
    code, output = run("plan", "-c", str(CONFIG), env=env)
    assert code == 1
    assert "AWS does not accept these credentials (InvalidClientTokenId" in output


class _ExpiredTokenEndpoint(BaseHTTPRequestHandler):
    """Answers every JSON-protocol call as AWS does once a session token has expired."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps(
            {
                "__type": "ExpiredTokenException",
                "message": "The security token included in the request is expired",
            }
        ).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        return


def test_expired_credentials_say_so_and_how_to_refresh(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ExpiredTokenEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        code, output = run(
            "plan",
            "-c",
            str(CONFIG),
            "--endpoint-url",
            endpoint,
            env={"SOJOURN_DATABASE_URL": database(tmp_path)},
        )
    finally:
        server.shutdown()
        server.server_close()
    assert code == 1
    assert "error: the AWS credentials have expired (ExpiredTokenException on " in output
    assert "aws sso login" in output


def _stamped(tmp_path: Path, revision: str) -> str:
    url = database(tmp_path)
    code, _ = run("audit", "verify", env={"SOJOURN_DATABASE_URL": url})
    assert code == 0
    with sqlite3.connect(tmp_path / "sojourn.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    return url


def test_a_database_of_a_newer_schema_is_refused_with_a_hint(tmp_path: Path) -> None:
    url = _stamped(tmp_path, "9999_from_the_future")
    code, output = run("audit", "show", env={"SOJOURN_DATABASE_URL": url})
    assert code == 1
    assert "error: the database is at schema '9999_from_the_future', newer than this Sojourn knows" in output
    assert "hint: use the Sojourn that last migrated it" in output


def test_a_read_only_database_is_named_with_a_hint(tmp_path: Path) -> None:
    code, _ = run("audit", "verify", env={"SOJOURN_DATABASE_URL": database(tmp_path)})
    assert code == 0  # a migrated database; opened read-only below (root ignores chmod 444)
    read_only = f"sqlite:///file:{tmp_path / 'sojourn.db'}?mode=ro&uri=true"
    code, output = run(
        "token", "create", "--name", "ci", "--role", "admin", "--scope", "audit:read",
        env={"SOJOURN_DATABASE_URL": read_only},
    )  # fmt: skip
    assert code == 1
    assert "error: the database is read-only for this user" in output
    assert "hint: give write permission on the file and its directory" in output


def test_a_locked_database_is_explained() -> None:
    """The CLI waits 30 s for a lock; the same error, met at once with no wait, is what it explains."""
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"sojourn-locked-{os.getpid()}.db"
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("CREATE TABLE IF NOT EXISTS t (x)")
        holder.execute("BEGIN EXCLUSIVE")
        engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
        with pytest.raises(Exception) as raised, engine.connect() as connection:
            connection.execute(text("SELECT * FROM t"))
        engine.dispose()
    finally:
        holder.close()
        path.unlink(missing_ok=True)
    failure = explain_failure(raised.value)
    assert failure is not None
    assert failure.what == "the database is locked by another process (a worker, `serve` or another command)"


def test_a_database_server_that_does_not_answer(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/sojourn"
    code, output = run("audit", "verify", env={"SOJOURN_DATABASE_URL": url})
    assert code == 1
    assert "error: cannot connect to the database" in output
    assert "hint: check that it is running and reachable" in output


@pytest.mark.parametrize("command", ["worker", "serve"])
@pytest.mark.parametrize(
    ("written", "said"),
    [
        (None, "no such configuration file or directory"),
        (b"\x00\xff\xfe people: [\n", "is not UTF-8 text"),
        (b"people:\n  - name: [\n", "malformed YAML"),
    ],
)
def test_a_worker_or_server_refuses_to_start_on_a_configuration_it_cannot_read(
    command: str, written: bytes | None, said: str, tmp_path: Path
) -> None:
    config = tmp_path / "access.yaml"
    if written is not None:
        config.write_bytes(written)
    env = NO_AWS | {"SOJOURN_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}", "COLUMNS": "200"}
    extra = ["--once"] if command == "worker" else ["--port", "0"]
    result = CliRunner().invoke(app, [command, "--config", str(config), *extra], env=env)
    assert result.exit_code == 1, result.output
    assert said in result.output and "Traceback" not in result.output
    assert "bug in Sojourn" not in result.output
