"""Selectors, dated memberships, supersession, plan ordering and drift, codecs and the import round trip."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from sojourn.access.changes import Action, AssignmentChange, PermissionSetChange
from sojourn.access.compiler import compile_access
from sojourn.access.config import DriftMode, IdentitySource
from sojourn.access.config_parse import parse_config
from sojourn.access.organization import Account, Organization
from sojourn.access.plan import make_plan
from sojourn.access.plan_codec import plan_from_json, plan_to_json
from sojourn.access.render import render_config
from sojourn.access.state import (
    AccessState,
    Assignment,
    GroupSpec,
    Membership,
    PermissionSetSpec,
    PrincipalType,
    UserSpec,
)

ORG = Organization(
    (
        Account("111111111111", "team-a-dev", "/workloads/dev", {"team": "a"}),
        Account("222222222222", "team-a-prod", "/workloads/prod", {"team": "a"}),
        Account("333333333333", "team-b-dev", "/workloads/dev", {"team": "b"}),
        Account("444444444444", "shared", "/shared", {"team": "platform"}),
        Account("555555555555", "old", "/workloads/dev", {"team": "b"}, status="SUSPENDED"),
    )
)
SETS = """
permission_sets:
  - {name: admin, supersedes: [read]}
  - {name: read}
people:
  - {user_name: ann}
  - {user_name: ben}
teams:
  - name: a
    accounts: {tags: {team: a}}
    members: [ann, {person: ben, from: 2026-03-01, until: 2026-03-31}]
"""


def compiled(rules: str, day: date = date(2026, 3, 15)):  # type: ignore[no-untyped-def]
    result = parse_config({"c.yaml": SETS + rules})
    assert result.config is not None, result.issues
    return compile_access(result.config, ORG, today=day)


def holdings(access, person: str) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(acc, ps) for acc, sets in access.effective.get(person, {}).items() for ps in sets}


def test_selectors_combine_criteria_and_exclude_suspended_accounts() -> None:
    rules = """
rules:
  - {name: r1, who: {people: [ann]}, where: {ous: [/workloads], exclude: {names: ["*-prod"]}}, what: [read]}
"""
    access = compiled(rules)
    assert holdings(access, "ann") == {("111111111111", "read"), ("333333333333", "read")}


def test_own_accounts_and_supersession() -> None:
    rules = """
rules:
  - {name: own, who: {teams: [a]}, where: {own: true}, what: [admin]}
  - {name: rest, who: {teams: [a]}, where: {all: true}, what: [read]}
"""
    access = compiled(rules)
    assert holdings(access, "ann") == {
        ("111111111111", "admin"),
        ("222222222222", "admin"),
        ("333333333333", "read"),
        ("444444444444", "read"),
    }
    assert access.effective["ann"]["111111111111"]["admin"] == ("rule own via team a",)


def test_dated_membership_is_inclusive_on_both_ends() -> None:
    rules = "rules:\n  - {name: own, who: {teams: [a]}, where: {own: true}, what: [admin]}\n"
    assert not holdings(compiled(rules, date(2026, 2, 28)), "ben")
    assert holdings(compiled(rules, date(2026, 3, 1)), "ben")
    assert holdings(compiled(rules, date(2026, 3, 31)), "ben")
    assert not holdings(compiled(rules, date(2026, 4, 1)), "ben")
    assert Membership("a", "ben") not in compiled(rules, date(2026, 4, 1)).desired.memberships


def test_rule_selecting_no_account_is_an_error_at_its_place() -> None:
    rules = "rules:\n  - {name: none, who: {people: [ann]}, where: {tags: {team: zzz}}, what: [read]}\n"
    issues = [str(i) for i in compiled(rules).issues]
    assert issues == [
        "c.yaml:13:5: rules[0].where: rule 'none' selects no account in this organisation; check its selector"
    ]


def test_plan_orders_changes_and_separates_drift_from_planned_removals() -> None:
    spec = PermissionSetSpec("read")
    keep = Assignment("111111111111", "read", PrincipalType.USER, "ann")
    ours = Assignment("222222222222", "read", PrincipalType.USER, "ann")
    theirs = Assignment("333333333333", "read", PrincipalType.USER, "eve")
    new = Assignment("444444444444", "admin", PrincipalType.USER, "ann")
    desired = AccessState(
        {"read": spec, "admin": PermissionSetSpec("admin")}, assignments=frozenset({keep, new})
    )
    observed = AccessState({"read": spec}, assignments=frozenset({keep, ours, theirs}))
    previous = AccessState({"read": spec}, assignments=frozenset({keep, ours}))
    plan = make_plan(desired, observed, drift=DriftMode.REPORT, previous=previous)
    kinds = [(type(c).__name__, c.action) for c in plan.changes]
    assert kinds == [
        ("PermissionSetChange", Action.CREATE),
        ("AssignmentChange", Action.CREATE),
        ("AssignmentChange", Action.DELETE),
    ]
    deleted = [
        c.assignment for c in plan.changes if isinstance(c, AssignmentChange) and c.action is Action.DELETE
    ]
    assert deleted == [ours]
    assert [d.description for d in plan.drift] == [
        "assignment read for user eve on 333333333333 exists in AWS but not in configuration"
    ]
    removing = make_plan(desired, observed, drift=DriftMode.REMOVE, previous=previous)
    assert {
        c.assignment
        for c in removing.changes
        if isinstance(c, AssignmentChange) and c.action is Action.DELETE
    } == {ours, theirs}
    assert plan_from_json(plan_to_json(removing)) == removing


def test_permission_set_update_is_reprovisioned_to_its_accounts() -> None:
    before = PermissionSetSpec("read", session_duration="PT1H")
    after = PermissionSetSpec("read", session_duration="PT2H")
    a = Assignment("111111111111", "read", PrincipalType.GROUP, "g")
    plan = make_plan(
        AccessState({"read": after}, assignments=frozenset({a})),
        AccessState({"read": before}, assignments=frozenset({a})),
    )
    assert plan.changes == (PermissionSetChange(Action.UPDATE, "read", before, after, ("111111111111",)),)


names = st.text(alphabet="abcdefghij", min_size=1, max_size=5)


@st.composite
def states(draw: st.DrawFn) -> AccessState:
    users = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    groups = draw(st.lists(names.map(lambda n: "g" + n), max_size=3, unique=True))
    sets = draw(st.lists(names.map(lambda n: "ps" + n), min_size=1, max_size=3, unique=True))
    accounts = [a.id for a in ORG.accounts if a.status == "ACTIVE"]
    principals = [(PrincipalType.USER, u) for u in users] + [(PrincipalType.GROUP, g) for g in groups]
    assignments = draw(
        st.frozensets(
            st.builds(
                lambda acc, ps, p: Assignment(acc, ps, p[0], p[1]),
                st.sampled_from(accounts),
                st.sampled_from(sets),
                st.sampled_from(principals),
            ),
            max_size=12,
        )
    )
    memberships = (
        draw(
            st.frozensets(st.builds(Membership, st.sampled_from(groups), st.sampled_from(users)), max_size=6)
        )
        if groups
        else frozenset()
    )
    return AccessState(
        permission_sets={
            ps: PermissionSetSpec(ps, f"about {ps}", "PT2H", ("arn:aws:iam::aws:policy/ReadOnlyAccess",))
            for ps in sets
        },
        users={u: UserSpec(u, u.upper(), f"{u}@example.com", u, u.upper()) for u in users},
        groups={g: GroupSpec(g, "") for g in groups},
        memberships=memberships,
        assignments=assignments,
    )


@settings(max_examples=60, deadline=None)
@given(states())
def test_imported_configuration_compiles_back_to_the_same_state(state: AccessState) -> None:
    files = render_config(
        state, identity_source=IdentitySource.IDENTITY_CENTER, pinned={"region": "us-east-1"}
    )
    result = parse_config(files)
    assert result.config is not None, result.issues
    access = compile_access(result.config, ORG, today=date(2026, 1, 1))
    plan = make_plan(access.desired, state)
    assert plan.changes == ()
