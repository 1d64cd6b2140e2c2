"""Two workers at once on PostgreSQL over 200 grants: every expiry performed and recorded exactly once.
And a third of AWS calls throttled or failed: every grant still ends, late ones are reported and retried."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from sojourn.aws.faults import FaultPlan, inject_faults
from sojourn.aws.gateway import Boto3IdentityCenter
from sojourn.aws.settings import AwsSettings
from sojourn.store.engine import create_store_engine
from sojourn.store.tables import grant_effects
from sojourn.worker.runner import Worker
from sojourn.workflow.grant_request import State
from tests.conftest import MOTO_CALL_RATE
from tests.e2e.jit_fixtures import Jit, jit  # noqa: F401 - fixture

GRANTS = 200


def open_grants(j: Jit, count: int) -> list[str]:
    accounts = ("team-a-prod", "team-b-prod")
    ids = []
    for i in range(count):
        person = ("alice", "bob")[i % 2]
        made = j.service.request(
            person, "prod-admin", (accounts[i % 2],), timedelta(hours=1), f"INC-{i}", f"INC-{i}"
        )
        j.service.approve(made.id, "erin")
        ids.append(made.id)
    return ids


def test_two_workers_perform_each_expiry_once(jit: Jit) -> None:  # noqa: F811
    if not jit.sojourn.database_url.startswith("postgresql"):
        pytest.skip("SKIP LOCKED leases are a PostgreSQL feature; SQLite serialises writers instead")
    ids = open_grants(jit, GRANTS)
    jit.worker.tick()
    assert all(jit.service.get(i).state is State.ACTIVE for i in ids[:5])
    jit.clock.advance(hours=1, minutes=1)
    workers = [
        Worker(
            jit.store.grants,
            Boto3IdentityCenter(AwsSettings(endpoint_url=jit.sojourn.endpoint, sso_rate=MOTO_CALL_RATE)),
            jit.clock,
            owner=f"w{n}",
        )
        for n in (1, 2)
    ]
    reports = []
    threads = [threading.Thread(target=lambda w=w: reports.append(w.tick())) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.deprovisioned for r in reports) == GRANTS
    assert all(r.deprovisioned > 0 for r in reports)  # both took part
    expiries = Counter(r.event.details["request"] for r in jit.store.audit.query(action="jit.expire"))
    assert set(expiries) == set(ids) and set(expiries.values()) == {1}
    engine = create_store_engine(jit.sojourn.database_url)  # the test reads the table; the store hides it
    with engine.connect() as connection:
        rows = connection.execute(
            select(grant_effects.c.kind, grant_effects.c.attempts, grant_effects.c.done_at)
        ).all()
    engine.dispose()
    deprovisions = [r for r in rows if r.kind == "deprovision"]
    assert len(deprovisions) == GRANTS and all(r.attempts == 1 and r.done_at for r in deprovisions)
    assert not jit.aws.access_of("alice") & {("team-a-prod", "prod-admin")}
    assert all(jit.service.get(i).state is State.ENDED for i in ids)


def test_a_third_of_calls_failing_still_ends_every_grant(jit: Jit) -> None:  # noqa: F811
    ids = open_grants(jit, 12)
    jit.worker.tick()
    jit.clock.advance(hours=1)
    faulty = Boto3IdentityCenter(
        AwsSettings(endpoint_url=jit.sojourn.endpoint, max_attempts=1, sso_rate=MOTO_CALL_RATE)
    )
    plan = inject_faults(
        [faulty.clients.sso_admin, faulty.clients.identitystore], FaultPlan(chance=1 / 3, seed=11)
    )
    flaky = Worker(jit.store.grants, faulty, jit.clock, owner="flaky")
    assert flaky.tick().failed > 0
    overdue: set[str] = set()
    for _ in range(30):
        if all(jit.service.get(i).revoked_in_aws_at for i in ids):
            break
        jit.clock.advance(seconds=61)
        overdue |= set(flaky.tick().overdue)
    assert overdue  # reported while it lasted, not lost
    ended = [jit.service.get(i) for i in ids]
    assert all(r.state is State.ENDED and r.revoked_in_aws_at for r in ended)
    assert ("team-a-prod", "prod-admin") not in jit.aws.access_of("alice")
    late = [r.revoked_in_aws_at - r.ends_at for r in ended if r.revoked_in_aws_at and r.ends_at]
    assert max(late) > timedelta(0)  # the overrun is recorded
    assert jit.store.audit.verify().ok
    assert plan.injected > 0
