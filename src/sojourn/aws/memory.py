"""An in-memory twin of the Identity Center gateway: same contract, no network, scriptable failures."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from sojourn.access.changes import (
    Action,
    AssignmentChange,
    Change,
    GroupChange,
    MembershipChange,
    PermissionSetChange,
    UserChange,
)
from sojourn.access.organization import Organization
from sojourn.access.outcome import ChangeOutcome, ReadResult
from sojourn.access.state import AccessState, Assignment, GroupSpec, Membership, PermissionSetSpec, UserSpec
from sojourn.aws.gateway import run_bounded

FailureScript = Callable[[Change], str | None]


class InMemoryIdentityCenter:
    """Holds one organisation and one instance's state; `fail` may return an error text for a change."""

    def __init__(
        self,
        organization: Organization,
        fail: FailureScript | None = None,
        instance_arn: str = "arn:aws:sso:::instance/ssoins-memory",
    ) -> None:
        self.organization = organization
        self.instance_arn = instance_arn
        self.fail = fail
        self.permission_sets: dict[str, PermissionSetSpec] = {}
        self.users: dict[str, UserSpec] = {}
        self.groups: dict[str, GroupSpec] = {}
        self.memberships: set[Membership] = set()
        self.assignments: set[Assignment] = set()
        self.provisioned: list[tuple[str, tuple[str, ...]]] = []
        self.revoked_sessions: dict[tuple[str, str], datetime] = {}
        """(permission set, person) -> sessions issued before this instant are denied."""
        self._lock = threading.Lock()

    @property
    def instance_id(self) -> str:
        return self.instance_arn

    def config_settings(self) -> Mapping[str, str]:
        return {"region": "us-east-1", "instance_arn": self.instance_arn}

    def caller_identity(self) -> str:
        return "arn:aws:iam::000000000000:user/in-memory"

    def read_organization(self, *, with_tags: bool = True) -> Organization:
        if with_tags:
            return self.organization
        return Organization(tuple(replace(a, tags={}) for a in self.organization.accounts))

    def read_state(
        self, organization: Organization, known_pairs: Collection[tuple[str, str]] = ()
    ) -> ReadResult:
        with self._lock:
            state = AccessState(
                dict(self.permission_sets),
                dict(self.users),
                dict(self.groups),
                frozenset(self.memberships),
                frozenset(self.assignments),
            )
        return ReadResult(state, {}, "memory")

    def forget_assignments(self) -> None:
        """Nothing is cached here."""

    def assignment_exists(self, assignment: Assignment) -> bool:
        with self._lock:
            return assignment in self.assignments

    def apply_change(self, change: Change) -> ChangeOutcome:
        problem = self.fail(change) if self.fail else None
        if problem:
            return ChangeOutcome(change, False, problem)
        with self._lock:
            return self._apply(change)

    def apply_changes(
        self, changes: Iterable[Change], *, on_outcome: Callable[[ChangeOutcome], None]
    ) -> list[ChangeOutcome]:
        return run_bounded(self.apply_change, changes, 4, on_outcome)

    def revoke_sessions(
        self, permission_set: str, people: Sequence[tuple[str, datetime]], now: datetime
    ) -> str:
        if permission_set not in self.permission_sets:
            raise KeyError(f"no permission set {permission_set!r}")
        with self._lock:
            changed = 0
            for person, before in people:
                current = self.revoked_sessions.get((permission_set, person))
                if current is None or current < before:
                    self.revoked_sessions[(permission_set, person)] = before
                    changed += 1
        return (
            f"sessions of {changed} people denied"
            if changed
            else "no change: those sessions were already denied"
        )

    def _apply(self, change: Change) -> ChangeOutcome:
        create = change.action is not Action.DELETE
        if isinstance(change, AssignmentChange):
            a = change.assignment
            known = self.users if a.principal_type == "USER" else self.groups
            if a.permission_set not in self.permission_sets or a.principal not in known:
                return ChangeOutcome(
                    change, False, f"FAILED: {a.permission_set} or {a.principal} does not exist"
                )
            return self._toggle(self.assignments, a, create, change)
        if isinstance(change, MembershipChange):
            m = change.membership
            if m.group not in self.groups or m.user not in self.users:
                return ChangeOutcome(change, False, f"{m.group} or {m.user} does not exist")
            return self._toggle(self.memberships, m, create, change)
        if isinstance(change, UserChange):
            name = change.user.user_name
            if create:
                detail = "already present" if name in self.users else "created"
                self.users.setdefault(name, change.user)
                return ChangeOutcome(change, True, detail)
            self.memberships = {m for m in self.memberships if m.user != name}
            return ChangeOutcome(change, True, "deleted" if self.users.pop(name, None) else "already absent")
        if isinstance(change, GroupChange):
            name = change.group.name
            if create:
                detail = "already present" if name in self.groups else "created"
                self.groups.setdefault(name, change.group)
                return ChangeOutcome(change, True, detail)
            return ChangeOutcome(change, True, "deleted" if self.groups.pop(name, None) else "already absent")
        return self._permission_set(change)

    def _permission_set(self, change: PermissionSetChange) -> ChangeOutcome:
        if change.action is Action.DELETE:
            if any(a.permission_set == change.name for a in self.assignments):
                return ChangeOutcome(change, False, "ConflictException: the permission set is still assigned")
            return ChangeOutcome(
                change, True, "deleted" if self.permission_sets.pop(change.name, None) else "already absent"
            )
        assert change.after is not None
        self.permission_sets[change.name] = change.after
        if change.action is Action.UPDATE and change.provision_to:
            self.provisioned.append((change.name, change.provision_to))
        return ChangeOutcome(change, True, change.action.value + "d")

    @staticmethod
    def _toggle(
        items: set[Assignment] | set[Membership], item: Assignment | Membership, create: bool, change: Change
    ) -> ChangeOutcome:
        present = item in items
        if create:
            items.add(item)  # type: ignore[arg-type]
            return ChangeOutcome(change, True, "already present" if present else "created")
        items.discard(item)
        return ChangeOutcome(change, True, "deleted" if present else "already absent")
