"""An apply interrupted part way (SIGKILL, AWS gone, the database file deleted) leaves no AWS change
without a record: its intents are reconciled with AWS by the next run, and a replaced database is refused."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import create_engine, text

from sojourn.access.config import DriftMode
from sojourn.aws.gateway import Boto3IdentityCenter
from sojourn.aws.settings import AwsSettings
from sojourn.catalog import load_catalog
from sojourn.clock import SystemClock
from sojourn.service.applying import ApplyInterrupted, apply_plan
from sojourn.service.audit import AuditTrail, DatabaseReplaced, ensure_same_log
from sojourn.service.config_files import read_config_sources
from sojourn.service.planning import plan_access
from sojourn.service.reconciling import reconcile_interrupted
from sojourn.service.saved_plan import SavedPlan
from sojourn.store import Store, open_store
from sojourn.store.audit_checkpoints import CheckpointDirectory
from tests.e2e.conftest import AwsView, Sojourn

APPLY = (sys.executable, "-c", "from sojourn.cli.main import app; app()", "apply")


def _saved(sojourn: Sojourn, gateway: Boto3IdentityCenter, store: Store) -> SavedPlan:
    clock = SystemClock()
    outcome = plan_access(
        read_config_sources(sojourn.config),
        gateway,
        store,
        instance=gateway.instance.instance_arn,
        today=clock.now().date(),
        catalog=load_catalog(),
    )
    return SavedPlan(outcome.plan, outcome.desired, clock.now(), "test")


def _checkpoints(sojourn: Sojourn) -> CheckpointDirectory:
    return CheckpointDirectory(
        sojourn.config.parent / "audit-checkpoints", sojourn.config.parent / "audit-key.pem"
    )


def assert_every_aws_assignment_is_recorded(store: Store, aws: AwsView) -> None:
    """Each assignment in AWS has a record saying it was made: an outcome, or a reconciliation."""
    users = {
        u["UserId"]: u["UserName"] for u in aws.identity.list_users(IdentityStoreId=aws.store_id)["Users"]
    }
    made = {
        (r.event.person, r.event.account_id, r.event.permission_set)
        for r in store.audit.query(action="assignment.create*")
        if r.event.action == "assignment.create"
        or (r.event.action == "assignment.create.reconciled" and r.event.details["in_aws"])
    }
    names = {arn: name for name, arn in aws.permission_sets().items()}
    for arn in names:
        for account in aws.accounts.values():
            for item in aws.sso.list_account_assignments(
                InstanceArn=aws.instance, AccountId=account, PermissionSetArn=arn
            )["AccountAssignments"]:
                if item["PrincipalType"] == "USER":
                    assert (users[item["PrincipalId"]], account, names[arn]) in made


def assert_every_outcome_follows_its_intent(store: Store) -> None:
    records = store.audit.query()
    outcomes = [r for r in records if "aws" in r.event.details]
    assert outcomes
    for outcome in outcomes:
        assert any(
            r.seq < outcome.seq
            and r.event.run_id == outcome.event.run_id
            and r.event.target == outcome.event.target
            and r.event.action == outcome.event.action.removesuffix(".failed") + ".intent"
            for r in records
        ), f"no intent before {outcome.event.target}"


def assert_no_intent_is_left_open(store: Store) -> None:
    records = store.audit.query()
    intents = [r for r in records if r.event.action.endswith(".intent")]
    assert intents
    for intent in intents:
        closing = [
            r
            for r in records
            if r.seq > intent.seq
            and r.event.run_id == intent.event.run_id
            and r.event.target == intent.event.target
            and not r.event.action.endswith(".intent")
        ]
        assert closing, f"no outcome for {intent.event.target}"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sigkill_mid_apply_is_reconciled_by_the_next_verify(
    s1: tuple[Sojourn, AwsView], tmp_path: Path
) -> None:
    sojourn, aws = s1
    code, output = sojourn("plan", "--config", str(sojourn.config), "--out", str(tmp_path / "p.json"))
    assert code == 2, output
    database = sojourn.database_url.removeprefix("sqlite:///")
    env = {
        **os.environ,
        "SOJOURN_DATABASE_URL": sojourn.database_url,
        "SOJOURN_AWS_ENDPOINT_URL": sojourn.endpoint,
        "SOJOURN_AUDIT_CHECKPOINT_DIR": str(sojourn.config.parent / "audit-checkpoints"),
        "SOJOURN_AUDIT_KEY_FILE": str(sojourn.config.parent / "audit-key.pem"),
        "SOJOURN_MAX_CONCURRENCY": "2",
    }
    process = subprocess.Popen(
        [*APPLY, str(tmp_path / "p.json"), "--reason", "CHG-9"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not _started_changes(database) and time.monotonic() < deadline:
            assert process.poll() is None, "the apply ended before it could be killed"
            time.sleep(0.005)
        time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -9
    store = open_store(sojourn.database_url)
    (run,) = store.runs.latest(1)
    assert run.status == "running" and run.in_flight
    code, output = sojourn("audit", "verify")
    assert code == 0, output
    assert f"closed interrupted run {run.id}" in output
    closed = store.runs.get(run.id)
    assert closed is not None and closed.status == "interrupted" and not closed.in_flight
    assert_no_intent_is_left_open(store)
    assert_every_aws_assignment_is_recorded(store, aws)
    code, output = sojourn("apply", "--yes", "--config", str(sojourn.config), "--reason", "CHG-9 finish")
    assert code == 0, output
    assert_every_aws_assignment_is_recorded(store, aws)
    assert AuditTrail(store.audit, _checkpoints(sojourn)).verify().ok
    store.close()


def _apply(
    sojourn: Sojourn,
    saved: SavedPlan,
    gateway: Boto3IdentityCenter,
    store: Store,
    reason: str,
    progress: Callable[[int, int, str], None],
) -> None:
    apply_plan(
        saved,
        gateway,
        store,
        instance=gateway.instance.instance_arn,
        actor="t",
        reason=reason,
        clock=SystemClock(),
        drift=DriftMode.REMOVE,
        progress=progress,
        checkpoints=_checkpoints(sojourn),
    )


def _started_changes(database: str) -> int:
    if not Path(database).exists():
        return 0
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as connection:
            return int(
                connection.execute("SELECT count(*) FROM run_changes WHERE status != 'pending'").fetchone()[0]
            )
    except sqlite3.OperationalError:  # not migrated yet
        return 0


def test_aws_gone_mid_apply_is_one_clear_error_and_the_next_apply_reconciles(
    s1: tuple[Sojourn, AwsView],
) -> None:
    sojourn, aws = s1
    flaky = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)  # the same moto state
    flaky.start()
    host, port = flaky.get_host_and_port()
    gateway = Boto3IdentityCenter(AwsSettings(endpoint_url=f"http://{host}:{port}", max_concurrency=2))
    store = open_store(sojourn.database_url)
    saved = _saved(sojourn, gateway, store)
    finished = []

    def stop_aws_after_three(done: int, total: int, text: str) -> None:
        finished.append(text)
        if done == 3:
            flaky.stop()

    with pytest.raises(ApplyInterrupted) as stopped:
        _apply(sojourn, saved, gateway, store, "CHG-7", stop_aws_after_three)
    message = str(stopped.value)
    assert "apply stopped: EndpointConnectionError" in message
    assert f"done and recorded: {len(finished)}" in message and "not attempted:" in message
    run = store.runs.get(stopped.value.run_id or "")
    assert run is not None and run.status == "interrupted"
    healthy = Boto3IdentityCenter(AwsSettings(endpoint_url=sojourn.endpoint))
    closed = reconcile_interrupted(store.runs, healthy, actor="t", clock=SystemClock())
    assert [c.run_id for c in closed] == [run.id]
    assert_every_outcome_follows_its_intent(store)
    assert_no_intent_is_left_open(store)
    assert_every_aws_assignment_is_recorded(store, aws)
    store.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_database_file_deleted_mid_apply_is_detected_and_then_refused(
    s1: tuple[Sojourn, AwsView],
) -> None:
    sojourn, _aws = s1
    gateway = Boto3IdentityCenter(AwsSettings(endpoint_url=sojourn.endpoint, max_concurrency=2))
    store = open_store(sojourn.database_url)
    saved = _saved(sojourn, gateway, store)
    database = Path(sojourn.database_url.removeprefix("sqlite:///"))
    total = len(saved.plan.changes)

    def delete_database(done: int, _total: int, _text: str) -> None:
        if done == 1:
            database.unlink()

    with pytest.raises(ApplyInterrupted) as stopped:
        _apply(sojourn, saved, gateway, store, "CHG-8", delete_database)
    assert "was deleted while Sojourn had it open" in str(stopped.value)
    assert "restore it from a backup" in str(stopped.value)
    assert total > 32 and "not attempted: 0" not in str(stopped.value)
    store.close()
    fresh = open_store(sojourn.database_url)
    with pytest.raises(DatabaseReplaced, match="holds no audit records"):
        ensure_same_log(fresh.audit, _checkpoints(sojourn), SystemClock().now())
    fresh.close()
    code, output = sojourn("audit", "verify")
    assert code == 1 and "OK" not in output
    assert "the log is empty but the checkpoint" in output
    code, output = sojourn("apply", "--yes", "--config", str(sojourn.config), "--reason", "again")
    assert code == 1 and "refused: the database holds no audit records" in output


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_database_locked_mid_apply_is_one_clear_error_and_every_aws_change_has_its_intent(
    s1: tuple[Sojourn, AwsView],
) -> None:
    sojourn, aws = s1
    gateway = Boto3IdentityCenter(AwsSettings(endpoint_url=sojourn.endpoint, max_concurrency=2))
    impatient = open_store(sojourn.database_url + "?options=-c%20lock_timeout%3D1000")
    saved = _saved(sojourn, gateway, impatient)
    locker = create_engine(sojourn.database_url)
    held = locker.connect()

    def lock_the_log_after_three(done: int, _total: int, _text: str) -> None:
        if done == 3:
            held.begin()
            held.execute(text("LOCK TABLE audit_chain_head IN ACCESS EXCLUSIVE MODE"))

    try:
        with pytest.raises(ApplyInterrupted) as stopped:
            _apply(sojourn, saved, gateway, impatient, "CHG-6", lock_the_log_after_three)
    finally:
        held.rollback()
        held.close()
    message = str(stopped.value)
    assert message.startswith("apply stopped: OperationalError:") and "lock timeout" in message
    assert "done and recorded: 3;" in message and "could not be marked interrupted now" in message
    assert "Traceback" not in message and "[SQL:" not in message
    run_id = stopped.value.run_id or ""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    with locker.begin() as connection:  # this test's process stands in for one that has since ended
        connection.execute(
            text("UPDATE apply_runs SET owner = :owner WHERE id = :id"),
            {"owner": f"{socket.gethostname()}:{int(dead.stdout)}", "id": run_id},
        )
    locker.dispose()
    closed = reconcile_interrupted(impatient.runs, gateway, actor="t", clock=SystemClock())
    assert [c.run_id for c in closed] == [run_id]
    assert_no_intent_is_left_open(impatient)
    assert_every_aws_assignment_is_recorded(impatient, aws)
    assert AuditTrail(impatient.audit, _checkpoints(sojourn)).verify().ok
    impatient.close()
