"""Defect 13.1: an AWS outage across a grant's end. The worker's loop keeps ticking through connection
errors (each failed attempt reported as overdue), and removes the access once AWS answers again."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from bench.moto_recorder import OutageMoto

from sojourn.aws.gateway import Boto3IdentityCenter
from sojourn.aws.settings import AwsSettings
from sojourn.service.jit_runtime import session_revoker
from sojourn.service.provisioning import TickReport
from sojourn.worker.runner import Worker, run_loop
from sojourn.workflow.grant_request import State
from tests.e2e.jit_fixtures import Jit, jit  # noqa: F401 - fixture

PROD = ("team-a-prod", "prod-admin")
OUTAGE_SECONDS = 3.0


def wait_until(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_an_outage_across_the_end_delays_the_removal_and_never_stops_the_worker(jit: Jit) -> None:  # noqa: F811
    aws = OutageMoto().start()
    stop = threading.Event()
    try:
        gateway = Boto3IdentityCenter(AwsSettings(endpoint_url=aws.endpoint, max_attempts=2))
        worker = Worker(
            jit.store.grants,
            gateway,
            jit.clock,
            owner="outage",
            revoke_sessions=session_revoker(gateway, jit.clock),
            claims=jit.store.claims,
            concurrency=8,
        )
        made = jit.service.request(
            "alice", "prod-admin", ("team-a-prod",), timedelta(hours=1), "INC-8", "INC-8"
        )
        jit.service.approve(made.id, "erin")
        worker.tick()
        ends_at = jit.service.get(made.id).ends_at
        assert ends_at is not None and PROD in jit.holds("alice")

        aws.stop()  # AWS goes away just before the grant ends, and stays away for a few seconds
        jit.clock.advance(hours=1, seconds=1)
        reports: list[TickReport] = []
        loop = threading.Thread(
            target=run_loop,
            args=(worker,),
            kwargs={"once": False, "interval": 0.05, "on_report": reports.append, "stop": stop},
        )
        loop.start()

        def simulated_time() -> None:  # the grant's clock runs ten times faster than the wall clock
            while not stop.wait(0.1):
                jit.clock.advance(seconds=1)

        threading.Thread(target=simulated_time, daemon=True).start()
        time.sleep(OUTAGE_SECONDS)
        assert loop.is_alive()
        assert PROD in jit.holds("alice")  # nothing could be removed while AWS was away
        overdue = [r for r in reports if made.id in r.overdue]
        assert len(overdue) >= 2  # reported at every attempt, not once

        aws.start()  # same port: AWS is back
        assert wait_until(lambda: jit.service.get(made.id).revoked_in_aws_at is not None, 20)
        assert loop.is_alive()
    finally:
        stop.set()
        aws.stop()
    ended = jit.service.get(made.id)
    assert ended.state is State.ENDED and PROD not in jit.holds("alice")
    assert ended.revoked_in_aws_at is not None and ended.revoked_in_aws_at > ends_at
    assert [c.operation for c in aws.changes()] == ["CreateAccountAssignment", "DeleteAccountAssignment"]
    assert jit.store.audit.verify().ok


def test_the_database_going_away_across_the_end_never_stops_the_worker(jit: Jit) -> None:  # noqa: F811
    if not jit.sojourn.database_url.startswith("postgresql"):
        pytest.skip("a SQLite file cannot go away under an open connection; PostgreSQL can")
    import sqlalchemy

    from tests.databases import POSTGRES_ADMIN_URL

    name = jit.sojourn.database_url.rsplit("/", 1)[1]
    admin = sqlalchemy.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def database(allowed: bool) -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(
                f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}'
            )
            if not allowed:
                connection.exec_driver_sql(
                    f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
                )

    worker = Worker(jit.store.grants, jit.gateway, jit.clock, owner="db-outage", claims=jit.store.claims)
    made = jit.service.request("alice", "prod-admin", ("team-a-prod",), timedelta(hours=1), "INC-9", "INC-9")
    jit.service.approve(made.id, "erin")
    worker.tick()
    assert PROD in jit.holds("alice")
    stop = threading.Event()
    reports: list[TickReport] = []
    loop = threading.Thread(
        target=run_loop,
        args=(worker,),
        kwargs={"once": False, "interval": 0.05, "on_report": reports.append, "stop": stop},
    )
    try:
        database(allowed=False)  # the database goes away just before the grant ends
        jit.clock.advance(hours=1, seconds=1)
        loop.start()
        time.sleep(2.0)
        assert loop.is_alive() and PROD in jit.holds("alice")
        database(allowed=True)
        assert wait_until(lambda: PROD not in jit.holds("alice"), 20)
        assert wait_until(lambda: jit.service.get(made.id).revoked_in_aws_at is not None, 20)
        assert loop.is_alive()
    finally:
        stop.set()
        database(allowed=True)
        admin.dispose()
    assert jit.service.get(made.id).state is State.ENDED
    assert jit.store.audit.verify().ok
