"""Effective access: who holds which permission set where, and how that changes between two states."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from sojourn.access.state import AccessState, PrincipalType


@dataclass(frozen=True, slots=True)
class AccessDelta:
    person: str
    sign: str
    permission_set: str
    account: str

    def __str__(self) -> str:
        return f"{self.sign} {self.permission_set} on {self.account}"


def held(state: AccessState) -> set[tuple[str, str, str]]:
    """(person, account id, permission set) for every access a person holds, directly or through a group."""
    members: dict[str, list[str]] = defaultdict(list)
    for membership in state.memberships:
        members[membership.group].append(membership.user)
    triples = {
        (a.principal, a.account_id, a.permission_set)
        for a in state.assignments
        if a.principal_type is PrincipalType.USER
    }
    for a in state.assignments:
        if a.principal_type is PrincipalType.GROUP:
            triples.update((user, a.account_id, a.permission_set) for user in members.get(a.principal, ()))
    return triples


def state_delta(
    before: AccessState, after: AccessState, account_names: Mapping[str, str]
) -> dict[str, list[AccessDelta]]:
    """Per person, the permission sets gained (+) and lost (-) between two states, by account name."""
    old, new = held(before), held(after)
    deltas: dict[str, list[AccessDelta]] = defaultdict(list)
    for sign, triples in (("+", new - old), ("-", old - new)):
        for person, account, ps in triples:
            deltas[person].append(AccessDelta(person, sign, ps, account_names.get(account, account)))
    return {
        person: sorted(changes, key=lambda d: (d.account, d.sign != "+", d.permission_set))
        for person, changes in sorted(deltas.items())
    }
