"""The web pages at scale, in PostgreSQL: 1,000 people, 10,000 requests and 100,000 audit records; the p95
time of my access, the inbox, an audit search and grants now (each page rendered through the app, session
and all, in-process), and starting a review campaign over 100,000 standing assignments through the same
use case the reviews page calls (configuration read, compiled, the provider's state read, the campaign
built and stored).

Peer: no web peer runs offline (AWS TEAM is an Amplify app on AWS; Common Fate is a hosted service), so
the peer column is empty and says so.

Run: .venv/bin/python bench/web.py [--quick] [--campaign-only] [--json]
(PostgreSQL on 127.0.0.1:5432; SQLite without it; --campaign-only skips the pages and times the campaign)
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import sqlalchemy
from fastapi.testclient import TestClient

from bench.plan_scale import FULL as PLAN_FULL
from bench.plan_scale import QUICK as PLAN_QUICK
from bench.plan_scale import Shape, synthetic_config, synthetic_organization
from bench.report import emit
from bench.review_campaign import reviews_section, standing
from sojourn.access.api_token import Role
from sojourn.access.audit import AuditEvent, chain_next
from sojourn.access.config_parse import parse_config
from sojourn.access.review import ReviewScope
from sojourn.aws.memory import InMemoryIdentityCenter
from sojourn.clock import FixedClock
from sojourn.service.audit import AuditTrail
from sojourn.service.jit import Directory, JitService
from sojourn.service.reviews import ReviewService
from sojourn.store import open_store
from sojourn.store.grants import due_at
from sojourn.store.tables import audit_records, chain_head, grant_requests
from sojourn.web.app import create_web_app
from sojourn.web.context import WebContext
from sojourn.web.sessions import COOKIE
from sojourn.workflow.codec import request_to_json
from sojourn.workflow.grant_request import Decision, GrantRequest, State

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
PAGE_TARGET_MS = 200.0
CAMPAIGN_TARGET_S = 5.0
PEER_NAME = "AWS TEAM / Common Fate (not runnable offline)"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
JIT_YAML = """
permission_sets:
  - {name: prod-admin, managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]}
eligibility:
  - name: everyone-prod-admin
    who: {teams: [%s]}
    permission_set: prod-admin
    where: {ous: [/ou-00]}
    max_duration: 4h
    approvers: {teams: [team-000]}
"""


@dataclass(frozen=True)
class Sizes:
    people: int
    requests: int
    audit: int
    samples: int
    campaign: int
    campaign_shape: Shape


FULL = Sizes(1_000, 10_000, 100_000, 60, 100_000, PLAN_FULL)
QUICK = Sizes(100, 500, 2_000, 8, 2_000, PLAN_QUICK)


def progress(message: str) -> None:
    print(f"[web {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextmanager
def database() -> Iterator[tuple[str, str]]:
    """A fresh PostgreSQL database (dropped after), or a SQLite file when PostgreSQL does not answer."""
    ready = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False).returncode == 0
    if not ready:
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/bench.db", "SQLite"
        return
    name = f"sojourn_bench_web_{uuid.uuid4().hex[:8]}"
    admin = sqlalchemy.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", "PostgreSQL"
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def directory_for(sizes: Sizes) -> Directory:
    shape = Shape(accounts=40, units=4, teams=50, people=sizes.people, permission_sets=8)
    sources = synthetic_config(shape)
    sources["jit.yaml"] = JIT_YAML % ", ".join(f"team-{t:03d}" for t in range(shape.teams))
    parsed = parse_config(sources)
    assert parsed.config is not None, parsed.issues[:3]
    return Directory(parsed.config, synthetic_organization(shape))


def seed_requests(store: Any, found: Directory, sizes: Sizes, rng: random.Random) -> list[str]:
    """`sizes.requests` requests (2% pending, 3% active, the rest ended), inserted in batches as the grant
    repository stores them."""
    people = sorted(found.config.people)
    approvers = frozenset(p for p in people if int(p[1:]) % 50 == 0)
    prod = [a.id for a in found.organization.accounts if a.ou_path == "/ou-00"]
    rows = []
    for n in range(sizes.requests):
        person = people[n % len(people)]
        at = NOW - timedelta(minutes=rng.randrange(1, 60 * 24 * 30))
        roll = n % 100
        state = State.PENDING if roll < 2 else State.ACTIVE if roll < 5 else State.ENDED
        decided = () if state is State.PENDING else (
            Decision(sorted(approvers - {person})[0], True, "ok", at + timedelta(minutes=7)),
        )  # fmt: skip
        starts = None if state is State.PENDING else at + timedelta(minutes=8)
        ends = (
            None
            if starts is None
            else (NOW + timedelta(hours=2) if state is State.ACTIVE else starts + timedelta(hours=1))
        )
        request = GrantRequest(
            f"r{n:06d}", person, "prod-admin", tuple(rng.sample(prod, 2)), timedelta(hours=1),
            f"INC-{n} bench", at, at + timedelta(hours=24), approvers - {person}, state=state,
            decisions=decided, starts_at=starts, ends_at=ends,
            closed_at=ends if state is State.ENDED else None,
        )  # fmt: skip
        rows.append({
            "id": request.id, "person": person, "permission_set": request.permission_set,
            "state": state.value, "due_at": due_at(request), "version": 1,
            "body": json.dumps(request_to_json(request)),
        })  # fmt: skip
    with store.grants._engine.begin() as connection:
        for first in range(0, len(rows), 2_000):
            connection.execute(sqlalchemy.insert(grant_requests), rows[first : first + 2_000])
    return sorted(approvers)


def seed_audit(store: Any, found: Directory, total: int, rng: random.Random) -> None:
    """`total` chained records over 60 days, written in batches (the chain computed as `append` does)."""
    people = sorted(found.config.people)
    accounts = [a.id for a in found.organization.accounts]
    actions = [
        "request",
        "approve",
        "grant.provisioned",
        "grant.revoked",
        "assignment.create",
        "assignment.delete",
    ]
    engine = store.audit._engine
    with engine.begin() as connection:
        head = connection.execute(sqlalchemy.select(chain_head.c.seq, chain_head.c.hash)).first()
        seq, digest = int(head.seq), str(head.hash)
        start = seq + 1
        batch: list[dict[str, Any]] = []
        for n in range(total):
            at = NOW - timedelta(days=60) + timedelta(seconds=n * (60 * 86400 // max(total, 1)))
            event = AuditEvent(
                at=at, actor=rng.choice(people), action=rng.choice(actions), reason=f"bench {n}",
                target=f"r{n % 10_000:06d}", person=rng.choice(people), account_id=rng.choice(accounts),
                permission_set="prod-admin",
            )  # fmt: skip
            record = chain_next(seq + 1, digest, event)
            seq, digest = record.seq, record.hash
            batch.append(
                {
                    "seq": seq,
                    "at": at,
                    "actor": event.actor,
                    "action": event.action,
                    "reason": event.reason,
                    "person": event.person,
                    "account_id": event.account_id,
                    "permission_set": event.permission_set,
                    "target": event.target,
                    "before": None,
                    "after": None,
                    "run_id": None,
                    "details": "{}",
                    "prev_hash": record.prev_hash,
                    "hash": digest,
                }
            )
            if len(batch) == 5_000:
                connection.execute(sqlalchemy.insert(audit_records), batch)
                batch = []
        if batch:
            connection.execute(sqlalchemy.insert(audit_records), batch)
        connection.execute(sqlalchemy.update(chain_head).values(seq=seq, hash=digest))
    assert seq - start + 1 == total


def p95_ms(client: TestClient, cookie: str, paths: list[str]) -> float:
    times = []
    for path in paths:
        started = time.perf_counter()
        answer = client.get(path, headers={"cookie": f"{COOKIE}={cookie}"}, follow_redirects=False)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    return statistics.quantiles(times, n=20)[18] if len(times) >= 2 else times[0]


def page_rows(url: str, engine_name: str, sizes: Sizes) -> list[dict[str, Any]]:
    rng = random.Random(7)
    store = open_store(url)
    found = directory_for(sizes)
    progress(f"seeding {sizes.requests:,} requests and {sizes.audit:,} audit records in {engine_name}")
    approvers = seed_requests(store, found, sizes, rng)
    seed_audit(store, found, sizes.audit - store.audit.count(), rng)
    clock = FixedClock(NOW)
    jit = JitService(store.grants, clock, lambda: found)
    app = create_web_app(WebContext(jit, AuditTrail(store.audit), clock, None, b"b" * 32))
    with TestClient(app) as client:
        return _timed(client, app, found, sizes, approvers, engine_name, store, rng)


def _timed(
    client: TestClient,
    app: Any,
    found: Directory,
    sizes: Sizes,
    approvers: list[str],
    engine_name: str,
    store: Any,
    rng: random.Random,
) -> list[dict[str, Any]]:
    sessions = app.state.sessions

    def cookie(user: str, *roles: Role) -> str:
        session = sessions.new()
        session.user, session.roles = user, frozenset({Role.REQUESTER, *roles})
        return str(sessions.cookie_value(session))

    people = sorted(found.config.people)
    admin = cookie("p00001", Role.ADMIN, Role.AUDITOR)
    client.get(
        "/", headers={"cookie": f"{COOKIE}={cookie(people[0])}"}
    )  # compile the directory once, as a warm server has
    n = sizes.samples
    mine = [(rng.choice(people)) for _ in range(n)]
    my_access = [p95_ms(client, cookie(p), ["/"]) for p in mine]
    accounts = [a.id for a in found.organization.accounts]
    figures = {
        "my access": statistics.quantiles(my_access, n=20)[18],
        "inbox": p95_ms(client, cookie(approvers[0], Role.APPROVER), ["/inbox"] * n),
        "audit search": p95_ms(
            client,
            admin,
            [
                f"/audit?person={rng.choice(people)}"
                if i % 2
                else f"/audit?account={rng.choice(accounts)}&action=grant.*"
                for i in range(n)
            ],
        ),
        "grants now": p95_ms(client, admin, ["/grants"] * n),
    }
    store.close()
    scale = (
        f"{sizes.people:,} people, {sizes.requests:,} requests, {sizes.audit:,} audit records, {engine_name}"
    )
    return [
        {
            "metric": f"p95 page time: {name} ({scale})",
            "ours": round(value, 1),
            "peer": None,
            "peer_name": PEER_NAME,
            "unit": "ms",
            "target": f"< {PAGE_TARGET_MS:g} ms",
            "meets_target": value < PAGE_TARGET_MS,
        }
        for name, value in figures.items()
    ]


def campaign_rows(url: str, engine_name: str, sizes: Sizes) -> list[dict[str, Any]]:
    """ReviewService.start (what the reviews page's form calls) over the standing assignments."""
    shape = sizes.campaign_shape
    _, (organization, _), configured, outside = standing(shape, sizes.campaign)
    provider = InMemoryIdentityCenter(organization)
    provider.assignments = set(configured | outside)
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        for name, text in synthetic_config(shape).items():
            (folder / name).write_text(text, encoding="utf-8")
        (folder / "reviews.yaml").write_text(reviews_section(shape), encoding="utf-8")
        store = open_store(url)
        service = ReviewService(store.reviews, FixedClock(NOW), folder, lambda region, arn: provider)
        started, cpu = time.perf_counter(), time.process_time()
        campaign = service.start("bench", ReviewScope(), "bench")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        store.close()
    wall = {
        "metric": f"start a review campaign over {len(campaign.items):,} standing assignments "
        f"(read, compile, build, store in {engine_name})",
        "ours": round(seconds, 2),
        "peer": None,
        "peer_name": PEER_NAME,
        "unit": "s",
        "target": f"< {CAMPAIGN_TARGET_S:g} s",
        "meets_target": seconds < CAMPAIGN_TARGET_S,
    }
    return [
        wall,
        {
            "metric": "the same, CPU time of Sojourn's process (the database's own work not counted)",
            "ours": round(cpu, 2),
            "peer": None,
            "peer_name": PEER_NAME,
            "unit": "s",
            "target": "report only",
            "meets_target": None,
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--campaign-only", action="store_true", help="time only the campaign's start")
    parser.add_argument("--json", action="store_true", help="print one JSON object of rows")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    rows = []
    if not args.campaign_only:
        with database() as (url, engine_name):
            rows += page_rows(url, engine_name, sizes)
    with database() as (url, engine_name):
        progress(f"starting a campaign over {sizes.campaign:,} standing assignments")
        rows += campaign_rows(url, engine_name, sizes)
    emit("The web pages at scale", rows, as_json=args.json)


if __name__ == "__main__":
    main()
