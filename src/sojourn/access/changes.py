"""The resource-level changes a plan is made of; a provider (the AWS adapter today) applies exactly these."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sojourn.access.state import Assignment, GroupSpec, Membership, PermissionSetSpec, UserSpec


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class PermissionSetChange:
    action: Action
    name: str
    before: PermissionSetSpec | None
    after: PermissionSetSpec | None
    provision_to: tuple[str, ...] = ()
    """Accounts to re-provision after an update (the accounts it is assigned to)."""


@dataclass(frozen=True, slots=True)
class UserChange:
    action: Action
    user: UserSpec


@dataclass(frozen=True, slots=True)
class GroupChange:
    action: Action
    group: GroupSpec


@dataclass(frozen=True, slots=True)
class MembershipChange:
    action: Action
    membership: Membership


@dataclass(frozen=True, slots=True)
class AssignmentChange:
    action: Action
    assignment: Assignment


Change = PermissionSetChange | UserChange | GroupChange | MembershipChange | AssignmentChange
