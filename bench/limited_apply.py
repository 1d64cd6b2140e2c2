"""Apply a synthetic organisation's assignments through the AWS-like limiter, and say what it took.

Used by bench/plan_scale.py (5,000 assignments) and by the tests (a few dozen).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sojourn.access.config import DriftMode
from sojourn.aws.calls import RetryPolicy
from sojourn.aws.gateway import Boto3IdentityCenter
from sojourn.aws.settings import AwsSettings
from sojourn.catalog import load_catalog
from sojourn.clock import SystemClock
from sojourn.demo.aws_limits import LimitedAws, Limits
from sojourn.demo.seed import create_organization, synthetic_layout
from sojourn.service.applying import ApplyOutcome, apply_plan
from sojourn.service.planning import plan_access
from sojourn.service.saved_plan import SavedPlan
from sojourn.store import Store, open_store


@dataclass(frozen=True)
class LimitedApply:
    assignments: int
    seconds: float
    """Wall time of `apply_plan`: reconcile, re-read the state, apply every change."""
    assignment_seconds: float
    """From the first assignment outcome to the last."""
    outcome: ApplyOutcome
    throttles: int
    """Throttling answers the client absorbed (retried)."""
    proxy_counts: dict[str, int]
    peak_outstanding: int
    intents: int
    outcomes: int
    store: Store

    @property
    def rate(self) -> float:
        return self.assignments / self.seconds


def synthetic_sources(people: int, permission_sets: int) -> dict[str, str]:
    """Every person gets every permission set on every account: people x sets x accounts assignments."""
    lines = ["permission_sets:"]
    lines += [
        f"  - {{name: set-{k:02d}, managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]}}"
        for k in range(permission_sets)
    ]
    lines.append("people:")
    lines += [f"  - {{user_name: p{i:04d}, display_name: Person {i}}}" for i in range(people)]
    lines.append("teams:")
    lines.append(f"  - {{name: everyone, members: [{', '.join(f'p{i:04d}' for i in range(people))}]}}")
    lines.append("rules:")
    sets = ", ".join(f"set-{k:02d}" for k in range(permission_sets))
    lines.append(f"  - {{name: all, who: {{teams: [everyone]}}, where: {{all: true}}, what: [{sets}]}}")
    return {"synthetic.yaml": "\n".join(lines) + "\n"}


def apply_through_limiter(
    moto_endpoint: str,
    database: Path,
    *,
    accounts: int,
    people: int,
    permission_sets: int = 1,
    limits: Limits | None = None,
    settings: dict[str, Any] | None = None,
    progress: Any = None,
) -> LimitedApply:
    """Seed the organisation in moto, plan, then apply through the limiter with an SQLite store."""
    import boto3

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    organizations = boto3.client("organizations", endpoint_url=moto_endpoint, region_name="us-east-1")
    create_organization(organizations, synthetic_layout(accounts, max(1, accounts // 10)))
    sources = synthetic_sources(people, permission_sets)
    clock = SystemClock()
    store = open_store(f"sqlite:///{database}")
    with LimitedAws(moto_endpoint, limits) as proxy:
        gateway = Boto3IdentityCenter(
            AwsSettings(endpoint_url=proxy.endpoint_url, poll_interval=0.3, **(settings or {})),
            retry=RetryPolicy(max_attempts=10),
        )
        planned = plan_access(sources, gateway, store, today=clock.now().date(), catalog=load_catalog())
        saved = SavedPlan(planned.plan, planned.desired, clock.now(), "synthetic.yaml")
        count = sum(1 for c in planned.plan.changes if type(c).__name__ == "AssignmentChange")
        throttled_before = sum(gateway.log.throttles.values())
        seen: list[float] = []

        def note(done: int, total: int, text: str) -> None:
            seen.append(time.perf_counter())
            if progress is not None:
                progress(done, total, text)

        started = time.perf_counter()
        outcome = apply_plan(
            saved,
            gateway,
            store,
            actor="bench",
            reason="scale",
            clock=clock,
            drift=DriftMode.REMOVE,
            progress=note,
        )
        seconds = time.perf_counter() - started
        tail = seen[-count:] if count else []
        records = store.audit.query()
        run = [r for r in records if r.event.run_id == outcome.run_id]
        return LimitedApply(
            assignments=count,
            seconds=seconds,
            assignment_seconds=(tail[-1] - tail[0]) if len(tail) > 1 else 0.0,
            outcome=outcome,
            throttles=sum(gateway.log.throttles.values()) - throttled_before,
            proxy_counts=dict(proxy.counts),
            peak_outstanding=proxy.operations.peak,
            intents=sum(1 for r in run if r.event.action.endswith(".intent")),
            outcomes=sum(1 for r in run if "aws" in r.event.details),
            store=store,
        )
