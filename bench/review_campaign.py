"""Access review campaign at scale: build a campaign over 100,000 standing assignments (scope: all), each
item with its reviewer, then store it (SQLite file) with its audit record.

Peer: the naive build a reviewer-assignment script would do (for every item, scan every team for the
person's teams, then the leads), measured in the same run on the same assignments; no access review
product publishes a figure for this (ConductorOne and AWS TEAM are hosted services).

Run: .venv/bin/python bench/review_campaign.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "src"), str(Path(__file__).resolve().parents[1])]

from bench.plan_scale import FULL, QUICK, TODAY, Shape, synthetic_config, synthetic_organization
from bench.report import emit
from sojourn.access.audit import AuditEvent
from sojourn.access.compiler import compile_access
from sojourn.access.config import AccessConfig
from sojourn.access.config_parse import parse_config
from sojourn.access.review import ReviewScope
from sojourn.access.review_build import CampaignDraft, build_campaign
from sojourn.access.state import Assignment, PrincipalType
from sojourn.store import open_store

TARGET_SECONDS = 5.0
AT = datetime(2026, 11, 24, 9, tzinfo=UTC)


def reviews_section(shape: Shape) -> str:
    """Each team's lead is its first member's neighbour (so some leads review their own team)."""
    leads = ", ".join(f"team-{t:03d}: [p{(t + 1) % shape.people:05d}]" for t in range(shape.teams))
    return f"reviews:\n  team_leads: {{{leads}}}\n  people: [p00000, p00001]\n"


def standing(shape: Shape, target: int) -> tuple[AccessConfig, Any, frozenset[Assignment], set[Assignment]]:
    sources = synthetic_config(shape)
    sources["reviews.yaml"] = reviews_section(shape)
    result = parse_config(sources)
    assert result.config is not None, result.issues[:3]
    organization = synthetic_organization(shape)
    compiled = compile_access(result.config, organization, today=TODAY)
    configured = compiled.desired.assignments
    accounts = [a.id for a in organization.accounts]
    outside: set[Assignment] = set()
    missing = target - len(configured)
    for account in accounts:
        for person in range(shape.people):
            if len(outside) >= missing:
                break
            extra = Assignment(account, "read-00", PrincipalType.USER, f"p{person:05d}")
            if extra not in configured:
                outside.add(extra)
    return result.config, (organization, compiled), configured, outside


def naive_reviewers(config: AccessConfig, assignments: list[Assignment]) -> int:
    """The peer: per item, scan every team for the person, then take the first lead who is not them."""
    assigned = 0
    for a in assignments:
        for name, team in config.teams.items():
            if any(m.person == a.principal for m in team.members):
                leads = [lead for lead in config.reviews.team_leads.get(name, ()) if lead != a.principal]
                if leads:
                    assigned += 1
                    break
    return assigned


def measure(shape: Shape, target: int) -> list[dict[str, Any]]:
    config, (organization, compiled), configured, outside = standing(shape, target)
    total = len(configured) + len(outside)
    draft = CampaignDraft("rv-bench", "bench", ReviewScope(), "bench", AT)
    started = time.perf_counter()
    campaign = build_campaign(
        draft,
        config,
        organization,
        configured=configured,
        observed=configured | outside,
        effective=compiled.effective,
        today=TODAY,
    )
    build_seconds = time.perf_counter() - started
    assert len(campaign.items) == total

    sample = sorted(configured | outside)[: max(1, total // 20)]
    started = time.perf_counter()
    naive_reviewers(config, sample)
    naive_seconds = (time.perf_counter() - started) * (total / len(sample))

    with tempfile.TemporaryDirectory() as directory:
        store = open_store(f"sqlite:///{directory}/bench.db")
        event = AuditEvent(at=AT, actor="bench", action="review.start", reason="bench", target="rv-bench")
        started = time.perf_counter()
        store.reviews.add(campaign, event)
        store_seconds = time.perf_counter() - started
        store.close()
    unassignable = len(campaign.unassignable())
    target_text = f"< {TARGET_SECONDS:g} s"
    return [
        {
            "metric": f"build a campaign over {total:,} standing assignments ({unassignable} unassignable)",
            "ours": round(build_seconds, 3),
            "peer": round(naive_seconds, 3),
            "peer_name": "naive per-item team scan (extrapolated from a 5% sample, same run)",
            "unit": "s",
            "target": target_text,
            "meets_target": build_seconds < TARGET_SECONDS,
        },
        {
            "metric": f"store the campaign ({total:,} items) in SQLite with its audit record",
            "ours": round(store_seconds, 3),
            "peer": None,
            "peer_name": "none (no peer publishes this figure)",
            "unit": "s",
            "target": "report only",
            "meets_target": None,
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--json", action="store_true", help="print one JSON object of rows")
    args = parser.parse_args()
    shape, target = (QUICK, 2_000) if args.quick else (FULL, 100_000)
    emit("Access review campaign at scale", measure(shape, target), as_json=args.json)


if __name__ == "__main__":
    main()
