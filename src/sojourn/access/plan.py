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
from sojourn.access.state import AccessState, Assignment, Membership, PermissionSetSpec


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
    ledger = _DriftLedger(drift is DriftMode.REMOVE)
    permission_sets = _permission_set_changes(desired, observed, previous, ledger)
    notes: list[str] = []
    if identity_source is IdentitySource.IDENTITY_CENTER:
        identities = _identity_changes(desired, observed, previous)
        target = set(desired.assignments)
    else:
        identities = _IdentityChanges()
        target, notes = _assignments_awaiting_the_idp(desired, observed)
    notes += _unmanaged_user_notes(desired, observed, previous)
    memberships = _membership_changes(desired, observed, previous, ledger)
    assignments = _assignment_changes(target, observed, previous, names, ledger)
    final_assignments = target | assignments.kept
    changes = _ordered(
        permission_sets.with_updates(final_assignments),
        identities,
        memberships,
        assignments,
        permission_sets.delete,
    )
    final_memberships = (observed.memberships | set(memberships.add)) - set(memberships.remove)
    after = AccessState(memberships=frozenset(final_memberships), assignments=frozenset(final_assignments))
    before = AccessState(memberships=observed.memberships, assignments=observed.assignments)
    delta = state_delta(before, after, names)
    return Plan(
        changes=changes,
        drift=tuple(ledger.items),
        person_delta={p: tuple(d) for p, d in delta.items()},
        base_fingerprint=observed.fingerprint(),
        notes=tuple(notes),
        summary=summarise(changes),
    )


@dataclass(slots=True)
class _DriftLedger:
    """Records what is in AWS without configuration or an earlier apply, and says whether it goes."""

    remove: bool
    items: list[DriftItem] = field(default_factory=list)

    def removable(self, kind: str, label: str, ours: bool) -> bool:
        if ours:
            return True
        self.items.append(DriftItem(f"{kind} {label} exists in AWS but not in configuration", self.remove))
        return self.remove


@dataclass(frozen=True, slots=True)
class _PermissionSetChanges:
    create: tuple[PermissionSetChange, ...]
    update: tuple[tuple[str, PermissionSetSpec, PermissionSetSpec], ...]
    """Name, current and desired spec; the accounts to re-provision are known only after the assignments."""
    delete: tuple[PermissionSetChange, ...]

    def with_updates(self, final_assignments: set[Assignment]) -> tuple[PermissionSetChange, ...]:
        """Creations, then updates naming every account that will hold the permission set."""
        updates = []
        for name, current, spec in self.update:
            accounts = tuple(sorted({a.account_id for a in final_assignments if a.permission_set == name}))
            updates.append(PermissionSetChange(Action.UPDATE, name, current, spec, accounts))
        return (*self.create, *updates)


@dataclass(frozen=True, slots=True)
class _IdentityChanges:
    user_create: tuple[UserChange, ...] = ()
    user_delete: tuple[UserChange, ...] = ()
    group_create: tuple[GroupChange, ...] = ()
    group_delete: tuple[GroupChange, ...] = ()


@dataclass(frozen=True, slots=True)
class _MembershipChanges:
    add: tuple[Membership, ...]
    remove: tuple[Membership, ...]


@dataclass(frozen=True, slots=True)
class _AssignmentChanges:
    create: tuple[Assignment, ...]
    delete: tuple[Assignment, ...]
    kept: frozenset[Assignment]
    """Drift left in place under `drift: report`."""


def _permission_set_changes(
    desired: AccessState, observed: AccessState, previous: AccessState, ledger: _DriftLedger
) -> _PermissionSetChanges:
    create, update, delete = [], [], []
    for name, spec in sorted(desired.permission_sets.items()):
        current = observed.permission_sets.get(name)
        if current is None:
            create.append(PermissionSetChange(Action.CREATE, name, None, spec))
        elif current != spec:
            update.append((name, current, spec))
    for name, spec in sorted(observed.permission_sets.items()):
        if name not in desired.permission_sets and ledger.removable(
            "permission set", repr(name), name in previous.permission_sets
        ):
            delete.append(PermissionSetChange(Action.DELETE, name, spec, None))
    return _PermissionSetChanges(tuple(create), tuple(update), tuple(delete))


def _identity_changes(desired: AccessState, observed: AccessState, previous: AccessState) -> _IdentityChanges:
    """Users and groups Identity Center holds for us; only what an earlier apply created is deleted."""
    return _IdentityChanges(
        user_create=tuple(
            UserChange(Action.CREATE, u) for n, u in sorted(desired.users.items()) if n not in observed.users
        ),
        user_delete=tuple(
            UserChange(Action.DELETE, u)
            for n, u in sorted(observed.users.items())
            if n not in desired.users and n in previous.users
        ),
        group_create=tuple(
            GroupChange(Action.CREATE, g)
            for n, g in sorted(desired.groups.items())
            if n not in observed.groups
        ),
        group_delete=tuple(
            GroupChange(Action.DELETE, g)
            for n, g in sorted(observed.groups.items())
            if n not in desired.groups and n in previous.groups
        ),
    )


def _assignments_awaiting_the_idp(
    desired: AccessState, observed: AccessState
) -> tuple[set[Assignment], list[str]]:
    """With an external IdP, a user's assignments wait until the IdP has provisioned the user."""
    missing = sorted(
        {a.principal for a in desired.assignments if a.principal_type == "USER"} - set(observed.users)
    )
    notes = [
        f"user {u!r} is not in the identity store yet; its assignments wait for the IdP" for u in missing
    ]
    target = {a for a in desired.assignments if a.principal_type != "USER" or a.principal in observed.users}
    return target, notes


def _unmanaged_user_notes(desired: AccessState, observed: AccessState, previous: AccessState) -> list[str]:
    return [
        f"user {name!r} is in the identity store but not in configuration: its access is managed, "
        "its identity is left alone"
        for name in sorted(set(observed.users) - set(desired.users) - set(previous.users))
    ]


def _membership_changes(
    desired: AccessState, observed: AccessState, previous: AccessState, ledger: _DriftLedger
) -> _MembershipChanges:
    """Memberships of groups we manage (now or at the last apply); other groups' members are not ours."""
    managed_groups = set(desired.groups) | set(previous.groups)
    remove = []
    for m in sorted(observed.memberships - desired.memberships):
        ours = m in previous.memberships or m.group in previous.groups
        if m.group in managed_groups and ledger.removable("membership", f"{m.user} in {m.group}", ours):
            remove.append(m)
    return _MembershipChanges(tuple(sorted(desired.memberships - observed.memberships)), tuple(remove))


def _assignment_changes(
    target: set[Assignment],
    observed: AccessState,
    previous: AccessState,
    names: Mapping[str, str],
    ledger: _DriftLedger,
) -> _AssignmentChanges:
    delete, kept = [], set()
    for a in sorted(observed.assignments - target):
        where = names.get(a.account_id, a.account_id)
        label = f"{a.permission_set} for {a.principal_type.lower()} {a.principal} on {where}"
        if ledger.removable("assignment", label, a in previous.assignments):
            delete.append(a)
        else:
            kept.add(a)
    return _AssignmentChanges(tuple(sorted(target - observed.assignments)), tuple(delete), frozenset(kept))


def _ordered(
    permission_sets: tuple[PermissionSetChange, ...],
    identities: _IdentityChanges,
    memberships: _MembershipChanges,
    assignments: _AssignmentChanges,
    deleted_permission_sets: tuple[PermissionSetChange, ...],
) -> tuple[Change, ...]:
    """Creations from the outside in (permission sets, principals, memberships, assignments), then
    deletions from the inside out, so no change refers to something not yet there or already gone."""
    return (
        *permission_sets,
        *identities.user_create,
        *identities.group_create,
        *(MembershipChange(Action.CREATE, m) for m in memberships.add),
        *(AssignmentChange(Action.CREATE, a) for a in assignments.create),
        *(AssignmentChange(Action.DELETE, a) for a in assignments.delete),
        *(MembershipChange(Action.DELETE, m) for m in memberships.remove),
        *identities.group_delete,
        *identities.user_delete,
        *deleted_permission_sets,
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
