"""S2.1: the on-call engineer holds prod-admin on the prod accounts for exactly the rotation window; at the
hand-over the old holder loses it and the new one gains it, overlapping by at most the margins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sojourn.service.jit import JitService
from sojourn.service.jit_runtime import CachedDirectory, on_call_source, session_revoker, standing_lookup
from sojourn.worker.runner import Worker
from sojourn.workflow.grant_request import State
from tests.e2e.jit_fixtures import T0, Jit, jit  # noqa: F401 - fixture

ONCALL = f"""
on_call:
  - name: prod-daily
    people: [bob, carol]
    start: {T0.isoformat()}
    length: 1d
    handover: "09:00"
    timezone: UTC
    margin: 5m
    permission_set: prod-admin
    where: {{ous: [/prod]}}
eligibility:
  - name: billing-when-on-call
    who: {{teams: [team-a, sre]}}
    permission_set: billing-read
    where: {{names: [billing]}}
    max_duration: 2h
    approvers: {{teams: [sre]}}
    auto_approve_when_on_call: prod-daily
"""
PROD = {("team-a-prod", "prod-admin"), ("team-b-prod", "prod-admin")}
WEEKLY = f"""
on_call:
  - name: prod-weekly
    people: [bob, carol]
    start: {T0.isoformat()}
    length: 7d
    handover: "09:00"
    timezone: Europe/Berlin
    margin: 5m
    permission_set: prod-admin
    where: {{ous: [/prod]}}
"""


def test_s2_1_on_call_holder_changes_at_the_handover(jit: Jit) -> None:  # noqa: F811
    jit.sojourn.write("oncall.yaml", ONCALL)
    directory = CachedDirectory(Path(jit.sojourn.config), jit.gateway)
    worker = Worker(
        jit.store.grants,
        jit.gateway,
        jit.clock,
        owner="oncall",
        standing=standing_lookup(directory, lambda: jit.clock.now().date()),
        revoke_sessions=session_revoker(jit.gateway, jit.clock),
        on_call=on_call_source(directory),
    )
    worker.tick()
    assert jit.holds("bob") >= PROD and not PROD & jit.holds("carol")
    jit.clock.advance(hours=23, minutes=54)
    worker.tick()
    assert jit.holds("bob") >= PROD and not PROD & jit.holds("carol")
    jit.clock.advance(minutes=1)  # 5 minutes before the hand-over: both hold it
    worker.tick()
    assert jit.holds("bob") >= PROD and jit.holds("carol") >= PROD
    jit.clock.advance(minutes=10)  # 5 minutes after: only the new holder
    worker.tick()
    assert not PROD & jit.holds("bob") and jit.holds("carol") >= PROD
    grants = jit.service.requests(person="bob")
    assert [(g.source, g.state.value) for g in grants] == [("on-call", "ended")]
    assert grants[0].ends_at == T0.replace(day=T0.day + 1).replace(minute=5)
    worker.tick()  # idempotent: no second grant for the same shift
    assert len(jit.service.requests(person="carol")) == 1


def test_a_weekly_rotation_grants_once_per_shift_until_its_end(jit: Jit) -> None:  # noqa: F811
    """Ticks across the whole week (past the second day, where a look-ahead once clipped the shift and opened
    a new grant on every tick) open one grant, ending at the Berlin hand-over plus the margin."""
    jit.sojourn.write("oncall.yaml", WEEKLY)
    directory = CachedDirectory(Path(jit.sojourn.config), jit.gateway)
    worker = Worker(
        jit.store.grants,
        jit.gateway,
        jit.clock,
        owner="oncall",
        standing=standing_lookup(directory, lambda: jit.clock.now().date()),
        revoke_sessions=session_revoker(jit.gateway, jit.clock),
        on_call=on_call_source(directory),
    )
    for _ in range(13):  # from T0 (10:00 in Berlin) to six days and six hours later
        worker.tick()
        jit.clock.advance(hours=12, minutes=30)
    assert jit.holds("bob") >= PROD and not PROD & jit.holds("carol")
    grants = jit.service.requests(person="bob")
    hand_over = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, winter time
    assert [(g.source, g.state.value, g.ends_at) for g in grants] == [
        ("on-call", "active", hand_over + timedelta(minutes=5))
    ]
    assert jit.service.requests(person="carol") == []


def test_the_on_call_holder_is_approved_at_once_others_wait(jit: Jit) -> None:  # noqa: F811
    jit.sojourn.write("oncall.yaml", ONCALL)
    directory = CachedDirectory(Path(jit.sojourn.config), jit.gateway)
    service = JitService(jit.store.grants, jit.clock, directory, on_call=on_call_source(directory))
    bob = service.request("bob", "billing-read", ("billing",), timedelta(hours=1), "month end")
    assert bob.state is State.APPROVED and bob.source == "auto"
    carol = service.request("carol", "billing-read", ("billing",), timedelta(hours=1), "month end")
    assert carol.state is State.PENDING
