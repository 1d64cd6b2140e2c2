"""Defect 13.2: overlapping grants of the same assignment, provisioned and removed by the worker's eight
threads and by two real worker processes. Each assignment exists once while any grant holds it, and
nothing is left once every grant has ended."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

from sojourn.service.jit_runtime import session_revoker
from sojourn.worker.runner import Worker
from sojourn.workflow.grant_request import State
from tests.e2e.jit_fixtures import Jit, jit  # noqa: F401 - fixture

PEOPLE = ("alice", "bob")
ACCOUNTS = ("team-a-prod", "team-b-prod")


def held(j: Jit) -> Counter[tuple[str, str]]:
    """(person, account name) -> how many prod-admin assignments AWS holds (a duplicate counts twice)."""
    ids = {j.aws.user_id(p): p for p in PEOPLE}
    names = {v: k for k, v in j.aws.accounts.items()}
    arn = j.aws.permission_sets()["prod-admin"]
    found: Counter[tuple[str, str]] = Counter()
    for account in ACCOUNTS:
        account_id = j.aws.accounts[account]
        for item in j.aws.sso.list_account_assignments(
            InstanceArn=j.aws.instance, AccountId=account_id, PermissionSetArn=arn
        )["AccountAssignments"]:
            if item["PrincipalId"] in ids:
                found[(ids[item["PrincipalId"]], names[account_id])] += 1
    return found


def overlapping(j: Jit, count: int, length: timedelta, step: timedelta) -> list[str]:
    ids = []
    for n in range(count):
        person, account = PEOPLE[n % 2], ACCOUNTS[(n // 2) % 2]
        made = j.service.request(
            person, "prod-admin", (account,), length + n * step, f"INC-{n} overlap", f"INC-{n}"
        )
        j.service.approve(made.id, "erin")
        ids.append(made.id)
    return ids


def test_eight_threads_create_each_assignment_once_and_leave_nothing(jit: Jit) -> None:  # noqa: F811
    worker = Worker(
        jit.store.grants,
        jit.gateway,
        jit.clock,
        owner="eight",
        revoke_sessions=session_revoker(jit.gateway, jit.clock),
        claims=jit.store.claims,
        concurrency=8,
    )
    ids = overlapping(jit, 16, timedelta(hours=1), timedelta(minutes=1))
    assert worker.tick().provisioned == 16
    assert set(held(jit).values()) == {1} and len(held(jit)) == 4
    jit.clock.advance(hours=1, minutes=8)  # half of the grants end, the other half still hold each pair
    worker.tick()
    assert set(held(jit).values()) == {1} and len(held(jit)) == 4
    jit.clock.advance(minutes=10)
    worker.tick()
    assert not held(jit)
    assert all(jit.service.get(i).state is State.ENDED for i in ids)
    assert jit.store.audit.verify().ok


def test_two_worker_processes_leave_nothing_behind(jit: Jit) -> None:  # noqa: F811
    env = {
        **os.environ,
        "SOJOURN_DATABASE_URL": jit.sojourn.database_url,
        "SOJOURN_AWS_ENDPOINT_URL": jit.sojourn.endpoint,
        "SOJOURN_WORKER_CONCURRENCY": "8",
    }
    command = [sys.executable, "-c", "from sojourn.cli.main import app; app()", "worker"]
    workers = [
        subprocess.Popen(
            [*command, "--name", name, "--interval", "0.1", "--config", str(jit.sojourn.config)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for name in ("w1", "w2")
    ]
    try:
        ids = overlapping(jit, 16, timedelta(seconds=1.5), timedelta(milliseconds=200))
        most = Counter[tuple[str, str]]()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            for pair, count in held(jit).items():
                most[pair] = max(most[pair], count)
            if all(jit.service.get(i).revoked_in_aws_at for i in ids):
                break
            time.sleep(0.1)
        assert all(w.poll() is None for w in workers)  # both still running
    finally:
        for w in workers:
            w.kill()
            w.wait(10)
    assert all(jit.service.get(i).state is State.ENDED for i in ids)
    assert most and set(most.values()) == {1}  # never a duplicate
    assert not held(jit)
    assert jit.store.audit.verify().ok
