"""Desired vs observed state -> an ordered, explainable plan of resource changes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sojourn.access.changes import (
    Action,
    AssignmentChange,
    Change,
    GroupChange,
    MembershipChange,
    PermissionSetChange,
    UserChange,
)
from sojourn.access.config import DriftMode, IdentitySource
from sojourn.access.effective import AccessDelta, state_delta
from sojourn.access.state import AccessState, Assignment, Membership


@dataclass(frozen=True, slots=True)
class DriftItem:
    """Something in AWS that neither configuration nor an earlier apply put there."""

    description: str
    removed: bool


@dataclass(frozen=True, slots=True)
class Plan:
    changes: tuple[Change, ...]
    drift: tuple[DriftItem, ...]
    person_delta: Mapping[str, tuple[AccessDelta, ...]]
    base_fingerprint: str
    notes: tuple[str, ...] = ()
    summary: Mapping[str, int] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.changes


def make_plan(
    desired: AccessState,
    observed: AccessState,
    *,
    drift: DriftMode = DriftMode.REMOVE,
    previous: AccessState | None = None,
    identity_source: IdentitySource = IdentitySource.IDENTITY_CENTER,
    account_names: Mapping[str, str] | None = None,
) -> Plan:
    """Changes that make `observed` equal `desired`, except drift kept under `drift: report`.

    `previous` is the desired state of the last successful apply: what it put in AWS and the configuration
    no longer wants is removed in any drift mode; what nobody put there is drift.
    """
    previous = previous or AccessState()
    names = account_names or {}
    drift_items: list[DriftItem] = []
    notes: list[str] = []
    remove_drift = drift is DriftMode.REMOVE
    kept: set[Assignment] = set()

    def removable(kind: str, label: str, ours: bool) -> bool:
        if ours:
            return True
        drift_items.append(DriftItem(f"{kind} {label} exists in AWS but not in configuration", remove_drift))
        return remove_drift

    ps_create, ps_update, ps_delete = [], [], []
    target_assignments = set(desired.assignments)
    for name, spec in sorted(desired.permission_sets.items()):
        current = observed.permission_sets.get(name)
        if current is None:
            ps_create.append(PermissionSetChange(Action.CREATE, name, None, spec))
        elif current != spec:
            ps_update.append((name, current, spec))
    for name, spec in sorted(observed.permission_sets.items()):
        if name not in desired.permission_sets and removable(
            "permission set", repr(name), name in previous.permission_sets
        ):
            ps_delete.append(PermissionSetChange(Action.DELETE, name, spec, None))

    manage_identities = identity_source is IdentitySource.IDENTITY_CENTER
    user_create, user_delete, group_create, group_delete = [], [], [], []
    if manage_identities:
        user_create = [
            UserChange(Action.CREATE, u) for n, u in sorted(desired.users.items()) if n not in observed.users
        ]
        user_delete = [
            UserChange(Action.DELETE, u)
            for n, u in sorted(observed.users.items())
            if n not in desired.users and n in previous.users
        ]
        group_create = [
            GroupChange(Action.CREATE, g)
            for n, g in sorted(desired.groups.items())
            if n not in observed.groups
        ]
        group_delete = [
            GroupChange(Action.DELETE, g)
            for n, g in sorted(observed.groups.items())
            if n not in desired.groups and n in previous.groups
        ]
    else:
        missing = sorted(
            {a.principal for a in desired.assignments if a.principal_type == "USER"} - set(observed.users)
        )
        notes += [
            f"user {u!r} is not in the identity store yet; its assignments wait for the IdP" for u in missing
        ]
        target_assignments = {
            a for a in target_assignments if a.principal_type != "USER" or a.principal in observed.users
        }
    for name in sorted(set(observed.users) - set(desired.users) - set(previous.users)):
        notes.append(
            f"user {name!r} is in the identity store but not in configuration: its access is managed, "
            "its identity is left alone"
        )

    managed_groups = set(desired.groups) | set(previous.groups)
    membership_add = sorted(desired.memberships - observed.memberships)
    membership_remove: list[Membership] = []
    for m in sorted(observed.memberships - desired.memberships):
        if m.group in managed_groups and removable(
            "membership", f"{m.user} in {m.group}", m in previous.memberships or m.group in previous.groups
        ):
            membership_remove.append(m)

    assignment_create = sorted(target_assignments - observed.assignments)
    assignment_delete: list[Assignment] = []
    for a in sorted(observed.assignments - target_assignments):
        where = names.get(a.account_id, a.account_id)
        label = f"{a.permission_set} for {a.principal_type.lower()} {a.principal} on {where}"
        if removable("assignment", label, a in previous.assignments):
            assignment_delete.append(a)
        else:
            kept.add(a)

    final_assignments = target_assignments | kept
    for name, current, spec in ps_update:
        accounts = tuple(sorted({a.account_id for a in final_assignments if a.permission_set == name}))
        ps_create.append(PermissionSetChange(Action.UPDATE, name, current, spec, accounts))

    changes: list[Change] = [
        *ps_create,
        *user_create,
        *group_create,
        *(MembershipChange(Action.CREATE, m) for m in membership_add),
        *(AssignmentChange(Action.CREATE, a) for a in assignment_create),
        *(AssignmentChange(Action.DELETE, a) for a in assignment_delete),
        *(MembershipChange(Action.DELETE, m) for m in membership_remove),
        *group_delete,
        *user_delete,
        *ps_delete,
    ]
    final_memberships = (observed.memberships | set(membership_add)) - set(membership_remove)
    after = AccessState(memberships=frozenset(final_memberships), assignments=frozenset(final_assignments))
    before = AccessState(memberships=observed.memberships, assignments=observed.assignments)
    delta = state_delta(before, after, names)
    return Plan(
        changes=tuple(changes),
        drift=tuple(drift_items),
        person_delta={p: tuple(d) for p, d in delta.items()},
        base_fingerprint=observed.fingerprint(),
        notes=tuple(notes),
        summary=summarise(tuple(changes)),
    )


def change_kind(change: Change) -> str:
    kinds = {
        PermissionSetChange: "permission_set",
        UserChange: "user",
        GroupChange: "group",
        MembershipChange: "membership",
        AssignmentChange: "assignment",
    }
    return kinds[type(change)]


def summarise(changes: tuple[Change, ...]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for change in changes:
        key = f"{change_kind(change)}.{change.action.value}"
        counts[key] = counts.get(key, 0) + 1
    return counts
