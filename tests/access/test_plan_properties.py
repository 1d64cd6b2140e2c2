"""make_plan as properties: under `drift: remove` the applied plan converges; `drift: report` keeps drift."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from sojourn.access.changes import (
    Action,
    AssignmentChange,
    Change,
    GroupChange,
    MembershipChange,
    PermissionSetChange,
    UserChange,
)
from sojourn.access.config import DriftMode
from sojourn.access.plan import make_plan
from sojourn.access.state import (
    AccessState,
    Assignment,
    GroupSpec,
    Membership,
    PermissionSetSpec,
    PrincipalType,
    UserSpec,
)

NAMES = st.sampled_from(["ana", "bo", "cy", "dee"])


def states() -> st.SearchStrategy[AccessState]:
    permission_sets = st.dictionaries(NAMES, st.sampled_from(["PT1H", "PT8H"]), max_size=4)
    users = st.dictionaries(NAMES, st.sampled_from(["A", "B"]), max_size=4)
    groups = st.dictionaries(NAMES, st.sampled_from(["", "ops"]), max_size=4)
    assignments = st.builds(
        Assignment,
        st.sampled_from(["111111111111", "222222222222"]),
        NAMES,
        st.sampled_from(PrincipalType),
        NAMES,
    )
    return st.builds(
        AccessState,
        permission_sets.map(lambda d: {n: PermissionSetSpec(n, session_duration=v) for n, v in d.items()}),
        users.map(lambda d: {n: UserSpec(n, v) for n, v in d.items()}),
        groups.map(lambda d: {n: GroupSpec(n, v) for n, v in d.items()}),
        st.frozensets(st.builds(Membership, NAMES, NAMES), max_size=6),
        st.frozensets(assignments, max_size=8),
    )


@dataclass
class World:
    """The observed state, mutable, with a plan's changes applied one by one as the AWS adapter would."""

    permission_sets: dict[str, PermissionSetSpec]
    users: dict[str, UserSpec]
    groups: dict[str, GroupSpec]
    memberships: set[Membership] = field(default_factory=set)
    assignments: set[Assignment] = field(default_factory=set)

    @classmethod
    def of(cls, state: AccessState) -> World:
        return cls(
            dict(state.permission_sets),
            dict(state.users),
            dict(state.groups),
            set(state.memberships),
            set(state.assignments),
        )

    def apply(self, change: Change) -> None:
        create = change.action is not Action.DELETE
        match change:
            case PermissionSetChange(name=name, after=after):
                self._put(self.permission_sets, name, after if create else None)
            case UserChange(user=user):
                self._put(self.users, user.user_name, user if create else None)
            case GroupChange(group=group):
                self._put(self.groups, group.name, group if create else None)
            case MembershipChange(membership=m):
                (self.memberships.add if create else self.memberships.discard)(m)
            case AssignmentChange(assignment=a):
                (self.assignments.add if create else self.assignments.discard)(a)

    @staticmethod
    def _put(table: dict[str, object], name: str, value: object) -> None:
        if value is None:
            table.pop(name, None)
        else:
            table[name] = value


@settings(max_examples=150, deadline=None)
@given(states(), states(), st.one_of(st.none(), states()))
def test_under_drift_remove_the_applied_plan_reaches_the_desired_state(
    desired: AccessState, observed: AccessState, previous: AccessState | None
) -> None:
    plan = make_plan(desired, observed, drift=DriftMode.REMOVE, previous=previous)
    world = World.of(observed)
    for change in plan.changes:
        world.apply(change)
    before = previous or AccessState()
    assert world.permission_sets == dict(desired.permission_sets)
    assert world.assignments == set(desired.assignments)
    unmanaged_groups = set(observed.groups) - set(desired.groups) - set(before.groups)
    assert world.memberships == set(desired.memberships) | {
        m for m in observed.memberships if m.group not in set(desired.groups) | set(before.groups)
    }
    # users and groups are created and deleted by name; the plan does not update their attributes
    assert set(world.groups) == set(desired.groups) | unmanaged_groups
    unmanaged_users = set(observed.users) - set(desired.users) - set(before.users)
    assert set(world.users) == set(desired.users) | unmanaged_users
    assert all(item.removed for item in plan.drift)


@settings(max_examples=150, deadline=None)
@given(states(), states(), st.one_of(st.none(), states()))
def test_under_drift_report_only_what_an_earlier_apply_made_is_removed(
    desired: AccessState, observed: AccessState, previous: AccessState | None
) -> None:
    plan = make_plan(desired, observed, drift=DriftMode.REPORT, previous=previous)
    before = previous or AccessState()
    deleted = [c for c in plan.changes if c.action is Action.DELETE]
    for change in deleted:
        match change:
            case AssignmentChange(assignment=a):
                assert a in before.assignments
            case PermissionSetChange(name=name):
                assert name in before.permission_sets
            case MembershipChange(membership=m):
                assert m in before.memberships or m.group in before.groups
    kept_assignments = observed.assignments - desired.assignments - before.assignments
    assert len([d for d in plan.drift if d.description.startswith("assignment ")]) == len(kept_assignments)
    assert not any(item.removed for item in plan.drift)
