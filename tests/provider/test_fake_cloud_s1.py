"""Scenario S1 (joiner, leaver) on a second provider: the fake cloud, through the same plan/apply use cases.

Nothing here or in the fake cloud imports `sojourn.aws`; the result is checked in the fake cloud's own
vocabulary (bindings of members to roles on projects), not through Sojourn.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sojourn.access.changes import Action, PermissionSetChange
from sojourn.access.config import DriftMode
from sojourn.access.state import PermissionSetSpec
from sojourn.catalog import load_catalog
from sojourn.clock import FixedClock
from sojourn.service.applying import ApplyOutcome, apply_plan
from sojourn.service.planning import PlanOutcome, plan_access
from sojourn.service.saved_plan import SavedPlan
from sojourn.store import Store, open_store
from tests.provider.fake_cloud import Binding, FakeCloudProvider, fresh_provider

ROOT = Path(__file__).resolve().parents[2]

PEOPLE = """
people:
  - {user_name: bob, display_name: Bob Example}
  - {user_name: carol, display_name: Carol Example}
  - {user_name: dave, display_name: Dave Example}
%(alice)s
teams:
  - name: team-a
    accounts: {names: ["team-a-*"]}
    members: [bob%(in_team_a)s]
  - name: team-b
    accounts: {names: ["team-b-*"]}
    members: [carol]
  - name: finance
    members: [dave]
"""
ALICE = "  - {user_name: alice, display_name: Alice Example, email: alice@example.com}"
ROLES = """
permission_sets:
  - {name: developer, description: Build and run workloads, supersedes: [read-only]}
  - {name: read-only, description: "Look, do not touch"}
  - {name: billing-read, description: Read bills}
"""
RULES = """
rules:
  - name: teams-develop-their-own-projects
    who: {teams: [team-a, team-b]}
    where: {own: true}
    what: [developer]
  - name: teams-read-other-workloads
    who: {teams: [team-a, team-b]}
    where: {ous: [/dev, /prod], exclude: {own: true}}
    what: [read-only]
  - name: finance-reads-billing-everywhere
    who: {teams: [finance]}
    where: {all: true}
    what: [billing-read]
"""
WORKLOAD = {"team-a-dev", "team-a-prod", "team-b-dev", "team-b-prod"}


def sources(*, alice: bool) -> dict[str, str]:
    people = PEOPLE % {"alice": ALICE if alice else "", "in_team_a": ", alice" if alice else ""}
    return {"people.yaml": people, "roles.yaml": ROLES, "rules.yaml": RULES}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'sojourn.db'}")
    yield opened
    opened.close()


def plan(provider: FakeCloudProvider, store: Store, *, alice: bool) -> PlanOutcome:
    return plan_access(
        sources(alice=alice), provider, store, today=datetime(2027, 1, 4).date(), catalog=load_catalog()
    )


def apply(provider: FakeCloudProvider, store: Store, outcome: PlanOutcome, reason: str) -> ApplyOutcome:
    clock = FixedClock(datetime(2027, 1, 4, 9, tzinfo=UTC))
    saved = SavedPlan(outcome.plan, outcome.desired, clock.now(), "fake-cloud")
    result = apply_plan(
        saved, provider, store, actor="fake-admin", reason=reason, clock=clock, drift=DriftMode.REMOVE
    )
    assert result.ok, [f.detail for f in result.failed]
    return result


def bindings_of(provider: FakeCloudProvider, login: str) -> set[tuple[str, str]]:
    """(project display name, role) bound to the user, read from the fake cloud itself."""
    names = {p.project_id: p.display_name for p in provider.cloud.projects.values()}
    return {(names[b.project_id], b.role_id) for b in provider.cloud.bindings if b.member == f"user:{login}"}


def test_joiner_and_leaver_through_the_provider_seam(store: Store) -> None:
    provider = fresh_provider()
    cloud = provider.cloud
    apply(provider, store, plan(provider, store, alice=False), "initial")
    assert bindings_of(provider, "dave") == {
        (p.display_name, "billing-read") for p in cloud.projects.values()
    }

    # S1.1 joiner: developer on team A's two projects, read-only on the other workload projects, nothing else
    joining = plan(provider, store, alice=True)
    assert {str(d) for d in joining.plan.person_delta["alice"]} == {
        "+ developer on team-a-dev",
        "+ developer on team-a-prod",
        "+ read-only on team-b-dev",
        "+ read-only on team-b-prod",
    }
    assert set(joining.plan.person_delta) == {"alice"}
    apply(provider, store, joining, "JOIN-1 alice joins team A")
    assert cloud.users["alice"].email == "alice@example.com"
    assert bindings_of(provider, "alice") == {
        ("team-a-dev", "developer"),
        ("team-a-prod", "developer"),
        ("team-b-dev", "read-only"),
        ("team-b-prod", "read-only"),
    }
    alice_projects = {b.project_id for b in cloud.bindings if b.member == "user:alice"}

    # S1.3 leaver: every binding removed, the user gone, one audit record per removal with who and why
    leaving = plan(provider, store, alice=False)
    assert {str(d) for d in leaving.plan.person_delta["alice"]} == {
        "- developer on team-a-dev",
        "- developer on team-a-prod",
        "- read-only on team-b-dev",
        "- read-only on team-b-prod",
    }
    apply(provider, store, leaving, "LEAVE-3 alice resigned")
    assert bindings_of(provider, "alice") == set()
    assert "alice" not in cloud.users
    assert not any(b.member == "user:alice" for b in cloud.bindings)
    removals = store.audit.query(person="alice", action="assignment.delete")
    assert len(removals) == 4
    assert {r.event.account_id for r in removals} == alice_projects
    assert {(r.event.actor, r.event.reason) for r in removals} == {("fake-admin", "LEAVE-3 alice resigned")}
    assert store.audit.verify().ok

    # S1.5: the same configuration again changes nothing, and the store keyed it by the fake cloud's instance
    assert plan(provider, store, alice=False).plan.is_empty
    assert store.runs.applied_state(provider.instance_id) is not None


def test_a_binding_added_by_hand_is_drift_and_removed(store: Store) -> None:
    provider = fresh_provider()
    apply(provider, store, plan(provider, store, alice=False), "initial")
    by_hand = Binding("acme-team-a-prod-1193", "developer", "user:dave")
    provider.cloud.bindings.add(by_hand)
    outcome = plan(provider, store, alice=False)
    assert [d.removed for d in outcome.plan.drift] == [True]
    apply(provider, store, outcome, "DRIFT-1 remove what was granted by hand")
    assert by_hand not in provider.cloud.bindings


def test_the_flow_imports_no_aws_code() -> None:
    """The use cases and the fake cloud load without `sojourn.aws` (or boto3) in the process."""
    probe = (
        "import sys\n"
        "import sojourn.service.planning, sojourn.service.applying, sojourn.service.importing\n"
        "import sojourn.service.saved_plan, sojourn.store, tests.provider.fake_cloud\n"
        "leaked = sorted(m for m in sys.modules if m.startswith(('sojourn.aws', 'boto3', 'botocore')))\n"
        "print(' '.join(leaked))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == ""


def test_what_only_aws_has_is_refused_as_an_outcome_not_dropped() -> None:
    provider = fresh_provider()
    aws_shaped = PermissionSetSpec("admin", "Admin", "PT8H", inline_policy='{"Statement":[]}')
    outcome = provider.apply_change(PermissionSetChange(Action.CREATE, "admin", None, aws_shaped))
    assert not outcome.ok
    assert "inline policy" in outcome.detail and "session duration" in outcome.detail
    assert "admin" not in provider.cloud.roles
