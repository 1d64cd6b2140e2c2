"""What the web pages read: a person's access with the rules behind it, the approver's inbox (never their
own, never what they answered), grants now soonest end first, and the dashboard's figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sojourn.access.config_parse import parse_config
from sojourn.access.organization import Account, Organization
from sojourn.clock import FixedClock
from sojourn.service.access_charts import dashboard
from sojourn.service.access_overview import AccessOverview, time_left
from sojourn.service.jit import Directory, JitService
from sojourn.store.memory import open_memory_store
from sojourn.workflow.grant_request import Decision, GrantRequest, State
from sojourn.workflow.transitions import Outcome

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
PROD, DEV = "111111111111", "222222222222"
CONFIG = """
people: [{user_name: ana}, {user_name: ben}, {user_name: cy}]
teams:
  - {name: web, members: [ana, ben], accounts: {names: [dev]}}
  - {name: ops, members: [cy]}
permission_sets:
  - {name: developer, managed_policies: [arn:aws:iam::aws:policy/PowerUserAccess]}
  - {name: prod-admin, managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]}
rules:
  - {name: web-develops-dev, who: {teams: [web]}, where: {own: true}, what: [developer]}
eligibility:
  - name: prod-admin
    who: {teams: [web, ops]}
    permission_set: prod-admin
    where: {ous: [/prod]}
    max_duration: 4h
    approvers: {people: [ben, cy]}
"""


def service() -> JitService:
    parsed = parse_config({"c.yaml": CONFIG})
    assert parsed.config is not None, parsed.issues
    organization = Organization((Account(PROD, "prod", "/prod"), Account(DEV, "dev", "/dev")))
    found = Directory(parsed.config, organization)
    return JitService(open_memory_store().grants, FixedClock(NOW), lambda: found)


def stored(jit: JitService, request_id: str, person: str, state: State, **more: object) -> GrantRequest:
    request = GrantRequest(
        request_id, person, "prod-admin", (PROD,), timedelta(hours=2), "INC-1", NOW - timedelta(hours=1),
        NOW + timedelta(hours=23), frozenset({"ben", "cy"}) - {person}, state=state, **more,  # type: ignore[arg-type]
    )  # fmt: skip
    return jit.grants.open(Outcome(request, ()), request.requested_at)


def test_my_access_names_the_rule_behind_each_standing_assignment_and_what_may_be_asked() -> None:
    jit = service()
    mine = AccessOverview(jit).my_access("ana")
    assert [(s.account_name, s.permission_set) for s in mine.standing] == [("dev", "developer")]
    assert "web-develops-dev" in " ".join(mine.standing[0].rules)
    assert [(e.terms.permission_set, sorted(e.accounts)) for e in mine.eligible] == [("prod-admin", [PROD])]
    assert sorted(e for e in mine.eligible[0].approvers) == ["ben", "cy"]


def test_the_inbox_holds_pending_requests_naming_the_approver_never_their_own_or_answered() -> None:
    jit = service()
    stored(jit, "r1", "ana", State.PENDING)
    stored(jit, "r2", "ben", State.PENDING)  # ben's own
    stored(jit, "r3", "ana", State.ACTIVE)
    stored(
        jit, "r4", "cy", State.PENDING, approvals_required=2,
        decisions=(Decision("ben", True, "", NOW),),
    )  # fmt: skip
    overview = AccessOverview(jit)
    assert [r.id for r in overview.inbox("ben")] == ["r1"]
    assert [r.id for r in overview.inbox("cy")] == ["r1", "r2"]
    assert overview.inbox("ana") == []


def test_grants_now_soonest_end_first_with_time_left() -> None:
    jit = service()
    stored(jit, "late", "ana", State.ACTIVE, starts_at=NOW, ends_at=NOW + timedelta(hours=3))
    stored(jit, "soon", "ben", State.ACTIVE, starts_at=NOW, ends_at=NOW + timedelta(minutes=20))
    stored(jit, "gone", "cy", State.ENDED, starts_at=NOW, ends_at=NOW)
    grants = AccessOverview(jit).grants_now()
    assert [g.id for g in grants] == ["soon", "late"]
    assert time_left(grants[0], NOW) == "20m left" and time_left(grants[1], NOW) == "3h 00m left"
    assert AccessOverview(jit).my_access("ana").active[0].id == "late"


def test_the_dashboard_counts_hours_grants_and_waits() -> None:
    jit = service()
    started = NOW - timedelta(hours=5)
    stored(
        jit, "g1", "ana", State.ENDED, starts_at=started, ends_at=started + timedelta(hours=2),
        closed_at=started + timedelta(hours=2),
        decisions=(Decision("ben", True, "", NOW - timedelta(minutes=30)),),
    )  # fmt: skip
    figures = dashboard(jit)
    this_week = [w for w in figures.team_weeks if w.team == "web"][-1]
    hours_so_far = (NOW - datetime(2026, 11, 23, tzinfo=UTC)).total_seconds() / 3600  # Monday 23rd
    assert this_week.standing_hours == round(2 * hours_so_far, 1)  # ana and ben: developer on dev
    assert this_week.jit_hours == 2.0
    assert [c.value for c in figures.grants_per_day if c.day == NOW.date()] == [1]
    assert [(c.day, c.value) for c in figures.approval_minutes] == [(NOW.date(), 30.0)]


def test_no_time_is_left_on_a_grant_that_is_over() -> None:
    jit = service()
    ended = stored(jit, "x", "ana", State.REVOKED, starts_at=NOW, ends_at=NOW + timedelta(hours=1))
    assert time_left(ended, NOW) == ""
