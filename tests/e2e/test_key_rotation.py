"""Key rotation (seed 003, E4) end to end against moto's IAM, Secrets Manager and STS: a real
`sojourn keys rotate` process is killed (SIGKILL) at every step, before and after its AWS call, and
restarted; at the end the user has exactly one active key, the one the secret's AWSCURRENT holds, and it
works. Checked through boto3 directly; the audit log holds an intent and an outcome for every step."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from sojourn.cli.main import app
from sojourn.store import open_store
from tests.e2e.conftest import Sojourn

USER, SECRET = "ci-deployer", "prod/ci-deployer/access-key"
STEPS = ("create", "store", "verify", "promote", "deactivate", "delete")


class Aws:
    """The world as AWS shows it, read with boto3 and nothing of Sojourn's."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
        self.secrets = boto3.client("secretsmanager", endpoint_url=endpoint, region_name="us-east-1")

    def keys(self) -> dict[str, str]:
        listed = self.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]
        return {k["AccessKeyId"]: k["Status"] for k in listed}

    def stage(self, label: str) -> dict[str, str] | None:
        stages = self.secrets.describe_secret(SecretId=SECRET)["VersionIdsToStages"]
        version = next((v for v, labels in stages.items() if label in labels), None)
        if version is None:
            return None
        value: dict[str, str] = json.loads(
            self.secrets.get_secret_value(SecretId=SECRET, VersionId=version)["SecretString"]
        )
        return value

    def works(self, key: dict[str, str]) -> str:
        sts = boto3.client(
            "sts",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
            aws_session_token=None,
        )
        arn: str = sts.get_caller_identity()["Arn"]
        return arn


@pytest.fixture
def aws(moto_endpoint: str) -> tuple[Aws, str]:
    world = Aws(moto_endpoint)
    world.iam.create_user(UserName=USER)
    key = world.iam.create_access_key(UserName=USER)["AccessKey"]
    value = {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}
    world.secrets.create_secret(Name=SECRET, SecretString=json.dumps(value))
    return world, key["AccessKeyId"]


def rotate(
    endpoint: str, database: Path, *args: str, crash_at: str | None = None, now: datetime | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SOJOURN_DATABASE_URL": f"sqlite:///{database}",
        "SOJOURN_AWS_ENDPOINT_URL": endpoint,
    }
    env.pop("SOJOURN_CRASH_AT", None)
    env.pop("SOJOURN_NOW", None)
    if crash_at:
        env["SOJOURN_CRASH_AT"] = crash_at
    if now:
        env["SOJOURN_NOW"] = now.isoformat()
    command = [sys.executable, "-c", "from sojourn.cli.main import app; app()", "keys", "rotate"]
    return subprocess.run(
        [*command, "--user", USER, "--secret", SECRET, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_rotated(world: Aws, old_key: str) -> None:
    keys = world.keys()
    current = world.stage("AWSCURRENT")
    assert current is not None
    assert keys == {current["AccessKeyId"]: "Active"}, keys
    assert old_key not in keys
    assert world.works(current).endswith(f":user/{USER}")
    assert world.stage("AWSPENDING") is None
    previous = world.stage("AWSPREVIOUS")
    assert previous is not None and previous["AccessKeyId"] == old_key


def audit_actions(database: Path) -> list[str]:
    store = open_store(f"sqlite:///{database}")
    try:
        return [r.event.action for r in store.audit.query(action="key.rotation.*")]
    finally:
        store.close()


@pytest.mark.parametrize("when", ["intent", "called"])
def test_sigkill_at_each_step_then_restart_ends_with_one_working_key(
    aws: tuple[Aws, str], moto_endpoint: str, tmp_path: Path, when: str
) -> None:
    """One rotation killed at every step in turn (`intent`: after the audit intent, before the AWS call;
    `called`: after the AWS call, before its outcome is recorded), each restart resuming the last."""
    world, old_key = aws
    database = tmp_path / "sojourn.db"
    for step in STEPS:
        killed = rotate(moto_endpoint, database, "--grace-days", "0", crash_at=f"key-rotation:{step}:{when}")
        assert killed.returncode == -9, (step, killed.stdout, killed.stderr)
        current = world.stage("AWSCURRENT")
        assert current is not None and world.keys().get(current["AccessKeyId"]) == "Active", (
            step
        )  # never zero
        assert world.works(current).endswith(f":user/{USER}")
        assert 1 <= len(world.keys()) <= 2
        actions = audit_actions(database)
        assert actions[-1] == f"key.rotation.{step}.intent", (step, actions[-3:])
    done = rotate(moto_endpoint, database, "--grace-days", "0")
    assert done.returncode == 0, done.stderr
    assert "deleted" in done.stdout
    assert_rotated(world, old_key)
    actions = audit_actions(database)
    for step in STEPS:
        assert actions.index(f"key.rotation.{step}.intent") < actions.index(f"key.rotation.{step}.outcome")
    assert actions[-1] == "key.rotation.delete.outcome"


def test_grace_period_keeps_the_old_key_inactive_until_a_later_run(
    aws: tuple[Aws, str], moto_endpoint: str, tmp_path: Path
) -> None:
    world, old_key = aws
    database = tmp_path / "sojourn.db"
    first = rotate(moto_endpoint, database, "--grace-days", "7")
    assert first.returncode == 0, first.stderr
    keys = world.keys()
    current = world.stage("AWSCURRENT")
    assert current is not None and keys == {old_key: "Inactive", current["AccessKeyId"]: "Active"}
    assert "inactive" in first.stdout
    later = datetime.now(UTC) + timedelta(days=8)
    done = rotate(moto_endpoint, database, "--grace-days", "7", now=later)
    assert done.returncode == 0, done.stderr
    assert_rotated(world, old_key)


def test_a_second_active_key_is_refused_in_one_line(
    aws: tuple[Aws, str], moto_endpoint: str, tmp_path: Path
) -> None:
    world, _ = aws
    world.iam.create_access_key(UserName=USER)
    refused = rotate(moto_endpoint, tmp_path / "sojourn.db")
    assert refused.returncode == 1
    assert "another active key" in refused.stderr and "Traceback" not in refused.stderr
    assert len(world.keys()) == 2


def test_the_worker_rotates_keys_past_their_age_on_its_schedule(s1: tuple[Sojourn, object]) -> None:
    """`sojourn worker --once` with a rotation target: nothing happens while the key is young; 91 days
    later (the drill clock) it is rotated through to its grace period, and after the grace deleted."""
    sojourn, _ = s1
    world = Aws(sojourn.endpoint)
    world.iam.create_user(UserName=USER)
    key = world.iam.create_access_key(UserName=USER)["AccessKey"]
    value = {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}
    world.secrets.create_secret(Name=SECRET, SecretString=json.dumps(value))
    env = {
        "SOJOURN_DATABASE_URL": sojourn.database_url,
        "SOJOURN_AWS_ENDPOINT_URL": sojourn.endpoint,
        "SOJOURN_KEY_ROTATION_TARGETS": f"{USER}={SECRET}",
        "SOJOURN_KEY_GRACE_DAYS": "2",
    }

    def tick(days: int) -> None:
        now = datetime.now(UTC) + timedelta(days=days)
        result = CliRunner().invoke(
            app,
            ["worker", "--once", "--config", str(sojourn.config)],
            env={**env, "SOJOURN_NOW": now.isoformat()},
        )
        assert result.exit_code == 0, result.output

    tick(1)
    assert world.keys() == {key["AccessKeyId"]: "Active"}
    tick(91)
    current = world.stage("AWSCURRENT")
    assert current is not None and current["AccessKeyId"] != key["AccessKeyId"]
    assert world.keys() == {key["AccessKeyId"]: "Inactive", current["AccessKeyId"]: "Active"}
    tick(94)
    assert_rotated(world, key["AccessKeyId"])
