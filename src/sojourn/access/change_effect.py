"""Whether a change is in effect in an observed state: how an interrupted apply learns what AWS did."""

from __future__ import annotations

from sojourn.access.changes import (
    Action,
    AssignmentChange,
    Change,
    GroupChange,
    MembershipChange,
    PermissionSetChange,
    UserChange,
)
from sojourn.access.state import AccessState


def in_effect(change: Change, state: AccessState) -> bool:
    """True when `state` shows what `change` meant to make: present after a create or an update, gone
    after a delete. A state that shows neither the before nor the after of an update counts as not done."""
    delete = change.action is Action.DELETE
    if isinstance(change, AssignmentChange):
        return (change.assignment in state.assignments) != delete
    if isinstance(change, MembershipChange):
        return (change.membership in state.memberships) != delete
    if isinstance(change, GroupChange):
        return (change.group.name in state.groups) != delete
    if isinstance(change, UserChange):
        found = state.users.get(change.user.user_name)
        if delete:
            return found is None
        return found == change.user if change.action is Action.UPDATE else found is not None
    return _permission_set_in_effect(change, state)


def _permission_set_in_effect(change: PermissionSetChange, state: AccessState) -> bool:
    found = state.permission_sets.get(change.name)
    if change.action is Action.DELETE:
        return found is None
    if change.action is Action.UPDATE:
        return found is not None and found == change.after
    return found is not None
