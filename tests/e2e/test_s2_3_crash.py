"""S2.3: the worker is killed (SIGKILL, a real process) at each step of grant and revocation, restarted,
and no grant outlives its expiry by more than one tick; the audit chain still verifies."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from sojourn.workflow.grant_request import State
from tests.e2e.jit_fixtures import Jit, jit  # noqa: F401 - fixture

PROD = ("team-a-prod", "prod-admin")
TICK = timedelta(seconds=1)


def run_worker(j: Jit, at: datetime, crash_at: str | None = None) -> int:
    env = {
        **os.environ,
        "SOJOURN_DATABASE_URL": j.sojourn.database_url,
        "SOJOURN_AWS_ENDPOINT_URL": j.sojourn.endpoint,
        "SOJOURN_NOW": at.isoformat(),
    }
    env.pop("SOJOURN_CRASH_AT", None)
    if crash_at:
        env["SOJOURN_CRASH_AT"] = crash_at
    command = [
        sys.executable,
        "-c",
        "from sojourn.cli.main import app; app()",
        "worker",
        "--once",
        "--name",
        "w1",
    ]
    done = subprocess.run(
        [*command, "--config", str(j.sojourn.config)], env=env, capture_output=True, timeout=120
    )
    return done.returncode


def approved(j: Jit) -> str:
    request = j.service.request(
        "alice", "prod-admin", ("team-a-prod",), timedelta(hours=1), "INC-5 drill", "INC-5"
    )
    j.service.approve(request.id, "erin")
    return request.id


@pytest.mark.parametrize("step", ["provision:before-aws", "provision:after-aws", "provision:after-commit"])
def test_crash_while_granting(jit: Jit, step: str) -> None:  # noqa: F811
    request_id = approved(jit)
    start = jit.clock.now() + timedelta(minutes=1)
    assert run_worker(jit, start, step) == -9
    assert (PROD in jit.holds("alice")) == (step != "provision:before-aws")
    recorded = jit.service.get(request_id).state
    assert recorded is (State.ACTIVE if step == "provision:after-commit" else State.APPROVED)
    assert run_worker(jit, start + TICK) == 0
    active = jit.service.get(request_id)
    assert active.state is State.ACTIVE and PROD in jit.holds("alice")
    assert active.ends_at is not None
    assert run_worker(jit, active.ends_at) == 0
    ended = jit.service.get(request_id)
    assert ended.state is State.ENDED and PROD not in jit.holds("alice")
    assert jit.store.audit.verify().ok


@pytest.mark.parametrize(
    "step", ["deprovision:before-aws", "deprovision:after-aws", "deprovision:after-commit"]
)
def test_crash_while_revoking_at_expiry(jit: Jit, step: str) -> None:  # noqa: F811
    request_id = approved(jit)
    jit.worker.tick()
    ends_at = jit.service.get(request_id).ends_at
    assert ends_at is not None and PROD in jit.holds("alice")
    assert run_worker(jit, ends_at, step) == -9
    assert (PROD in jit.holds("alice")) == (step == "deprovision:before-aws")
    assert run_worker(jit, ends_at + TICK) == 0
    ended = jit.service.get(request_id)
    assert PROD not in jit.holds("alice")
    assert ended.state is State.ENDED and ended.revoked_in_aws_at is not None
    assert ended.revoked_in_aws_at - ends_at <= TICK
    assert jit.store.audit.verify().ok
