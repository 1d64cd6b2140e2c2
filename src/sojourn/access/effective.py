"""Effective access: person x account -> permission sets, each with what grants it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sojourn.access.state import AccessState, PrincipalType

Grants = Mapping[str, Mapping[str, Mapping[str, tuple[str, ...]]]]
"""person -> account id -> permission set -> reasons (e.g. "rule team-own via team team-a")."""


@dataclass(frozen=True, slots=True)
class AccessDelta:
    person: str
    sign: str
    permission_set: str
    account: str

    def __str__(self) -> str:
        return f"{self.sign} {self.permission_set} on {self.account}"


def effective_access(state: AccessState) -> dict[str, dict[str, dict[str, tuple[str, ...]]]]:
    """Who holds what where in a state, expanding group assignments through memberships."""
    members: dict[str, list[str]] = defaultdict(list)
    for membership in state.memberships:
        members[membership.group].append(membership.user)
    grants: dict[str, dict[str, dict[str, list[str]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for a in state.assignments:
        if a.principal_type is PrincipalType.USER:
            grants[a.principal][a.account_id][a.permission_set].append("direct")
        else:
            for user in members.get(a.principal, ()):
                grants[user][a.account_id][a.permission_set].append(f"group {a.principal}")
    return {
        person: {account: {ps: tuple(r) for ps, r in sets.items()} for account, sets in accounts.items()}
        for person, accounts in grants.items()
    }


def access_delta(
    before: Grants, after: Grants, account_names: Mapping[str, str]
) -> dict[str, list[AccessDelta]]:
    """Per person, the permission sets gained (+) and lost (-), by account name."""
    deltas: dict[str, list[AccessDelta]] = {}
    for person in sorted(set(before) | set(after)):
        old = _pairs(before.get(person, {}))
        new = _pairs(after.get(person, {}))
        changes = [AccessDelta(person, "+", ps, account_names.get(acc, acc)) for acc, ps in sorted(new - old)]
        changes += [
            AccessDelta(person, "-", ps, account_names.get(acc, acc)) for acc, ps in sorted(old - new)
        ]
        if changes:
            deltas[person] = sorted(changes, key=lambda d: (d.account, d.sign != "+", d.permission_set))
    return deltas


def _pairs(accounts: Mapping[str, Iterable[str]]) -> set[tuple[str, str]]:
    return {(account, ps) for account, sets in accounts.items() for ps in sets}
