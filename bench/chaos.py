"""Chaos drill: just-in-time grants under random SIGKILLs of the worker processes, AWS faults (throttling,
refused and dropped connections, from SOJOURN_AWS_FAULTS) and the database briefly locked; then checked
through boto3 and the audit log.

Run: .venv/bin/python bench/chaos.py [--quick] [--json] [--kills N] [--database-url URL]
Rows: kills, faults injected, worst lateness of a removal (s, seen in AWS by polling it), leftover
assignments and AWS changes without an audit record (targets 0). Peer: a worker that dies on its first
connection error (Sojourn before issue 13): its grants stay in AWS for good.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import boto3
import sqlalchemy

from bench.jit import config_text
from bench.moto_recorder import OutageMoto
from bench.report import emit
from sojourn.bootstrap import Runtime
from sojourn.demo.seed import create_organization
from sojourn.service.applying import apply_plan
from sojourn.service.config_files import read_config_sources
from sojourn.service.planning import plan_access
from sojourn.service.provisioning import DEPROVISION_BACKOFF
from sojourn.service.saved_plan import SavedPlan
from sojourn.settings import Settings
from sojourn.workflow.grant_request import GrantRequest, State

Row = dict[str, Any]
FAULTS = "ThrottlingException:0.05,EndpointConnectionError:0.03,ConnectionClosedError:0.02"
APPROVALS = ("jit.approve", "jit.auto", "jit.break-glass")
CLOSES = ("jit.expire", "jit.revoke", "jit.provision-failed", "jit.cancel")
CLI = [sys.executable, "-c", "from sojourn.cli.main import app; app()"]


def progress(message: str) -> None:
    print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def chaos_person(i: int) -> str:
    return f"c{i}"


@dataclass
class Figures:
    """What one drill did and found."""

    kills: int = 0
    faults: int = 0
    locks: int = 0
    grants: int = 0
    start_seconds: float = 0.0
    worst_lateness: float = 0.0
    late_db: float = 0.0
    leftovers: int = 0
    unjustified: int = 0
    unrecorded: int = 0
    changes: int = 0
    verified: bool = False
    bound: float = 0.0
    notes: list[str] = field(default_factory=list)

    def rows(self) -> list[Row]:
        peer = "worker dying on its first connection error (before issue 13)"

        def row(metric: str, ours: float, unit: str, target: str, meets: bool | None) -> Row:
            return {
                "metric": metric,
                "ours": ours,
                "peer": None,
                "peer_name": peer,
                "unit": unit,
                "target": target,
                "meets_target": meets,
            }

        return [
            row("worker SIGKILLs", self.kills, "kills", "> 0", self.kills > 0),
            row("AWS faults injected", self.faults, "faults", "> 0", self.faults > 0),
            row("database lock windows", self.locks, "locks", "> 0", self.locks > 0),
            row("grants opened", self.grants, "grants", "> 0", self.grants > 0),
            row(
                "worst lateness of a removal, seen in AWS",
                round(self.worst_lateness, 2),
                "s",
                f"<= {self.bound:.1f} (tick + longest restart {self.start_seconds:.1f} s + retry + lock)",
                self.worst_lateness <= self.bound,
            ),
            row("leftover assignments", self.leftovers, "assignments", "0", self.leftovers == 0),
            row(
                "assignments seen that no grant justified",
                self.unjustified,
                "sightings",
                "0",
                not self.unjustified,
            ),
            row("unrecorded AWS changes", self.unrecorded, "changes", "0", self.unrecorded == 0),
            row("audit verify", int(self.verified), "ok", "1", self.verified),
        ]


@dataclass
class Spawned:
    """One `sojourn worker` process of the drill: when it started, where it logs, when it first worked."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    spawned: float
    worked: float | None = None
    kill_at: float | None = None

    def working(self) -> bool:
        """Whether it has reported a tick that did something (its first report marks the end of its start)."""
        if self.worked is None and "worker:" in self.log.read_text(errors="replace"):
            self.worked = time.monotonic()
        return self.worked is not None


class Drill:
    """Organisation, configuration and database set up; workers run as `sojourn worker` processes."""

    def __init__(
        self,
        aws: OutageMoto,
        database_url: str,
        workdir: Path,
        *,
        people: int = 4,
        accounts: int = 2,
        workers: int = 2,
        interval: float = 0.2,
        faults: str = FAULTS,
        seed: int = 13,
        longest: float = 6.0,
    ) -> None:
        self.aws, self.database_url, self.workdir = aws, database_url, workdir
        self.interval, self.faults, self.names = interval, faults, [f"w{n}" for n in range(workers)]
        self.random, self.longest = random.Random(seed), longest
        for key, value in (("AWS_ACCESS_KEY_ID", "chaos"), ("AWS_SECRET_ACCESS_KEY", "chaos")):
            os.environ.setdefault(key, value)
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        org = boto3.client("organizations", endpoint_url=aws.endpoint, region_name="us-east-1")
        layout = tuple((f"chaos-{i}", "prod", "prod") for i in range(accounts))
        self.accounts = create_organization(org, layout)
        self.people = [chaos_person(i) for i in range(people)]
        self.config = workdir / "access"
        self.config.mkdir(parents=True, exist_ok=True)
        (self.config / "access.yaml").write_text(config_text(people, chaos_person))
        self.env = {
            **os.environ,
            "SOJOURN_DATABASE_URL": database_url,
            "SOJOURN_AWS_ENDPOINT_URL": aws.endpoint,
            "SOJOURN_AUDIT_CHECKPOINT_DIR": str(workdir / "checkpoints"),
            "SOJOURN_AUDIT_KEY_FILE": str(workdir / "audit-key.pem"),
        }
        self.env.pop("SOJOURN_NOW", None)
        self.env.pop("SOJOURN_CRASH_AT", None)
        self.rt = Runtime(
            Settings.from_environment(
                {k: v for k, v in self.env.items() if k.startswith("SOJOURN_")},
                database_url=database_url,
                endpoint_url=aws.endpoint,
            )
        )
        self._apply()
        self.service = self.rt.jit_service(self.config)
        self.sso = boto3.client("sso-admin", endpoint_url=aws.endpoint, region_name="us-east-1")
        ids = boto3.client("identitystore", endpoint_url=aws.endpoint, region_name="us-east-1")
        instance = self.sso.list_instances()["Instances"][0]
        self.instance = instance["InstanceArn"]
        self.user_names = {
            u["UserId"]: u["UserName"]
            for u in ids.list_users(IdentityStoreId=instance["IdentityStoreId"])["Users"]
        }
        self.arn = next(
            a
            for a in self.sso.list_permission_sets(InstanceArn=self.instance)["PermissionSets"]
            if self.sso.describe_permission_set(InstanceArn=self.instance, PermissionSetArn=a)[
                "PermissionSet"
            ]["Name"]
            == "prod-admin"
        )
        self.figures = Figures()
        self.seen: list[tuple[float, str, str]] = []
        """(wall time, person, account id) of every prod-admin assignment seen in AWS."""
        self.logs = workdir / "logs"
        self.logs.mkdir(exist_ok=True)
        self._spawned = 0

    def _apply(self) -> None:
        gateway = self.rt.gateway()
        outcome = plan_access(
            read_config_sources(self.config),
            gateway,
            self.rt.store(),
            instance=gateway.instance.instance_arn,
            today=self.rt.clock.now().date(),
            catalog=self.rt.catalog(),
        )
        saved = SavedPlan(outcome.plan, outcome.desired, self.rt.clock.now(), str(self.config))
        apply_plan(
            saved,
            gateway,
            self.rt.store(),
            instance=gateway.instance.instance_arn,
            actor="chaos",
            reason="set up the chaos drill",
            clock=self.rt.clock,
            drift=outcome.config.settings.drift,
        )

    def spawn(self, name: str) -> Spawned:
        self._spawned += 1
        path = self.logs / f"{name}-{self._spawned}.log"
        command = [*CLI, "worker", "--name", name, "--interval", str(self.interval)]
        env = {**self.env, "SOJOURN_AWS_FAULTS": self.faults, "PYTHONUNBUFFERED": "1"}
        with path.open("wb") as log:
            process = subprocess.Popen(
                [*command, "--config", str(self.config)], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        return Spawned(name, process, path, time.monotonic())

    def close(self) -> None:
        self.rt.close()

    def watch(self, stop: threading.Event) -> None:
        while not stop.is_set():
            now = time.time()
            for account_id in self.accounts.values():
                for item in self.sso.list_account_assignments(
                    InstanceArn=self.instance, AccountId=account_id, PermissionSetArn=self.arn
                )["AccountAssignments"]:
                    self.seen.append((now, self.user_names.get(item["PrincipalId"], "?"), account_id))
            stop.wait(0.2)

    def open_grants(self, stop: threading.Event, ids: list[str], every: float) -> None:
        account_ids = list(self.accounts.values())
        while not stop.wait(self.random.uniform(0, 2 * every)):
            person, account = self.random.choice(self.people), self.random.choice(account_ids)
            burst = self.random.choice((1, 1, 2, 3))  # overlapping grants of one assignment, at once
            try:
                made = [
                    self.service.request(
                        person,
                        "prod-admin",
                        (account,),
                        timedelta(seconds=self.random.uniform(1.0, self.longest)),
                        "chaos drill",
                    )
                    for _ in range(burst)
                ]
                for request in made:
                    self.service.approve(request.id, "approver")
                    ids.append(request.id)
                if self.random.random() < 0.15:
                    time.sleep(self.random.uniform(0, 1.5))
                    if self.service.get(made[0].id).state in (State.APPROVED, State.ACTIVE):
                        self.service.revoke(made[0].id, "approver", "chaos drill: revoked early")
            except Exception as error:  # the database may be locked by the drill itself
                progress(f"a grant could not be opened: {type(error).__name__}")

    def lock_database(self, stop: threading.Event, every: float, hold: float) -> None:
        engine = sqlalchemy.create_engine(self.database_url)
        try:
            while not stop.wait(self.random.uniform(0.5 * every, 1.5 * every)):
                with engine.connect() as locker:
                    if engine.dialect.name == "sqlite":
                        locker.exec_driver_sql("BEGIN EXCLUSIVE")
                    else:
                        locker.exec_driver_sql("BEGIN")
                        locker.exec_driver_sql("LOCK TABLE grant_effects IN ACCESS EXCLUSIVE MODE")
                    self.figures.locks += 1
                    time.sleep(hold)
                    locker.rollback()
        finally:
            engine.dispose()

    def run(
        self,
        seconds: float,
        *,
        kills: int = 0,
        every: float = 0.5,
        lock_every: float = 5.0,
        hold: float = 1.0,
        drain: float = 300.0,
    ) -> Figures:
        """Open grants (a burst every `every` seconds on average) for `seconds`, and until `kills` kills,
        while killing workers; let the workers drain what is due; check.

        Each worker is killed at a random moment in the 3 s after its first report of work (so it dies
        while it works, not while it imports), or 60 s after its spawn if it found nothing to do; then it
        is spawned again under the same name. Spawn to first report is its restart time."""
        f = self.figures
        workers = {name: self.spawn(name) for name in self.names}
        stop, drained = threading.Event(), threading.Event()
        ids: list[str] = []
        helpers = [
            threading.Thread(target=self.watch, args=(drained,), daemon=True),
            threading.Thread(target=self.open_grants, args=(stop, ids, every), daemon=True),
            threading.Thread(target=self.lock_database, args=(stop, lock_every, hold), daemon=True),
        ]
        for helper in helpers:
            helper.start()
        started, restarts = time.monotonic(), []
        while time.monotonic() - started < seconds or f.kills < kills:
            time.sleep(0.05)
            for name, worker in list(workers.items()):
                now = time.monotonic()
                if worker.kill_at is None and worker.working():
                    assert worker.worked is not None
                    restarts.append(worker.worked - worker.spawned)
                    worker.kill_at = now + self.random.uniform(0.0, 3.0)
                if now < (worker.kill_at or worker.spawned + 60.0):
                    continue
                worker.process.send_signal(signal.SIGKILL)
                worker.process.wait()
                f.kills += 1
                workers[name] = self.spawn(name)
                if f.kills % 25 == 0:
                    progress(f"{f.kills} kills, {len(ids)} grants")
        stop.set()
        progress(f"{f.kills} kills, {len(ids)} grants; draining")
        deadline = time.monotonic() + drain
        while time.monotonic() < deadline:
            if all(settled(self.service.get(i)) for i in list(ids)):
                break
            time.sleep(0.5)
        time.sleep(1.0)  # one more look at AWS after the last removal
        drained.set()
        for worker in workers.values():
            worker.process.kill()
            worker.process.wait()
        for helper in helpers:
            helper.join(30)
        f.start_seconds = max(restarts, default=0.0)
        f.bound = self.interval + f.start_seconds + DEPROVISION_BACKOFF[-1] + hold + 1.0
        progress(f"restart times up to {f.start_seconds:.1f}s; lateness bound {f.bound:.1f}s")
        self.check([self.service.get(i) for i in ids])
        return f

    def check(self, grants: list[GrantRequest]) -> None:
        f = self.figures
        f.grants = len(grants)
        f.faults = sum(
            p.read_text(errors="replace").count("injected fault:") for p in self.logs.glob("*.log")
        )
        by_pair: dict[tuple[str, str], list[GrantRequest]] = {}
        for grant in grants:
            for account in grant.accounts:
                by_pair.setdefault((grant.person, account), []).append(grant)
        for at, person, account in self.seen:
            late = lateness(at, by_pair.get((person, account), []))
            if late is None:
                f.unjustified += 1
            else:
                f.worst_lateness = max(f.worst_lateness, late)
        db_late = [
            (r.revoked_in_aws_at - r.ends_at).total_seconds()
            for r in grants
            if r.state is State.ENDED and r.revoked_in_aws_at and r.ends_at
        ]
        f.late_db = max(db_late, default=0.0)
        for account_id in self.accounts.values():
            f.leftovers += len(
                self.sso.list_account_assignments(
                    InstanceArn=self.instance, AccountId=account_id, PermissionSetArn=self.arn
                )["AccountAssignments"]
            )
        f.unrecorded, f.changes = self.unrecorded()
        verify = subprocess.run([*CLI, "audit", "verify"], env=self.env, capture_output=True, text=True)
        f.verified = verify.returncode == 0
        if not f.verified:
            f.notes.append(verify.stdout + verify.stderr)

    def unrecorded(self) -> tuple[int, int]:
        """AWS changes (as they reached moto) that no audit record authorises: a create needs an approval
        of a grant of that person, account and permission set before it, a delete a closing record."""
        records = self.rt.store().audit.query(action="jit.*")
        kinds: dict[tuple[str, str], list[tuple[float, str]]] = {}
        for record in records:
            event = record.event
            for account in event.details.get("accounts", ()):
                kinds.setdefault((event.person or "", account), []).append(
                    (event.at.timestamp(), event.action)
                )
        missing, changes = 0, self.aws.changes()
        for call in changes:
            person = self.user_names.get(call.body.get("PrincipalId", ""), "?")
            needed = APPROVALS if call.operation == "CreateAccountAssignment" else CLOSES
            found = kinds.get((person, call.body.get("TargetId", "")), [])
            if not any(action in needed and at <= call.at + 0.001 for at, action in found):
                missing += 1
        return missing, len(changes)


def settled(r: GrantRequest) -> bool:
    """Nothing more will happen to this grant: closed, and removed from AWS if it was ever there."""
    if r.state in (State.PENDING, State.APPROVED, State.ACTIVE):
        return False
    return r.revoked_in_aws_at is not None or r.starts_at is None


def lateness(at: float, grants: list[GrantRequest]) -> float | None:
    """How long after the end of the latest grant that had started by `at` an assignment seen at `at` still
    was (0: within a grant); None when no grant of the pair had been approved by then."""
    ends: list[datetime] = []
    for grant in grants:
        approved = grant.requested_at.timestamp()
        if approved > at:
            continue
        end = grant.closed_at if grant.state is not State.ENDED else grant.ends_at
        if grant.state in (State.APPROVED, State.ACTIVE) or end is None:
            return 0.0
        ends.append(end)
    if not ends:
        return None
    return max(0.0, at - max(ends).timestamp())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run for the suite's row check")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--kills", type=int, default=200, help="at least this many SIGKILLs (full run)")
    parser.add_argument("--workers", type=int, default=4, help="worker processes (full run)")
    parser.add_argument("--database-url", default=None, help="default: a SQLite file in a temporary folder")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sojourn-chaos-") as folder:
        workdir = Path(folder)
        url = options.database_url or f"sqlite:///{workdir / 'chaos.db'}"
        aws = OutageMoto().start()
        try:
            workers = 2 if options.quick else options.workers
            drill = Drill(aws, url, workdir, longest=3.0 if options.quick else 6.0, workers=workers)
            if options.quick:
                figures = drill.run(5, kills=1, lock_every=2.5, hold=0.5, drain=60)
            else:
                figures = drill.run(60, kills=options.kills, every=1.0)
            drill.close()
        finally:
            aws.stop()
    for note in figures.notes:
        progress(note)
    progress(
        f"{figures.grants} grants, {figures.changes} AWS changes, worst lateness in the store "
        f"{figures.late_db:.2f}s, longest restart {figures.start_seconds:.1f}s"
    )
    emit("Chaos drill (issue 13)", figures.rows(), as_json=options.json)


if __name__ == "__main__":
    main()
