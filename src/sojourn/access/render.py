"""An AccessState written back as configuration (for `sojourn import`), compiling to the same state."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from sojourn.access.config import IdentitySource
from sojourn.access.state import AccessState, PermissionSetSpec, PrincipalType

GLOB = re.compile(r"[*?\[\]]")
"""Characters a selector reads as a pattern: a name holding one cannot select its account literally."""


def render_config(
    state: AccessState,
    *,
    identity_source: IdentitySource,
    pinned: Mapping[str, str],
    account_names: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Files (name -> YAML) whose plan against `state` is empty: one rule per principal and permission set.

    `pinned`: the provider's settings that tie the configuration to its instance (AWS: region, instance).
    `account_names`: id -> name of the accounts a selector may name (`usable_account_names`); a rule whose
    accounts all have one selects them by name, the others by id.
    """
    settings: dict[str, Any] = {**pinned, "identity_source": identity_source.value, "drift": "report"}
    people = [
        {
            "user_name": u.user_name,
            "display_name": u.display_name,
            "email": u.email,
            "given_name": u.given_name,
            "family_name": u.family_name,
        }
        for _, u in sorted(state.users.items())
    ]
    members: dict[str, list[str]] = defaultdict(list)
    for membership in sorted(state.memberships):
        members[membership.group].append(membership.user)
    as_teams = identity_source is IdentitySource.IDENTITY_CENTER
    groups = (
        []
        if as_teams
        else [{"name": g.name, "description": g.description} for _, g in sorted(state.groups.items())]
    )
    teams = (
        [
            {"name": g.name, "description": g.description, "members": members.get(g.name, [])}
            for _, g in sorted(state.groups.items())
        ]
        if as_teams
        else []
    )
    accounts: dict[tuple[PrincipalType, str, str], list[str]] = defaultdict(list)
    for a in sorted(state.assignments):
        accounts[(a.principal_type, a.principal, a.permission_set)].append(a.account_id)
    rules = []
    for (kind, principal, permission_set), ids in sorted(accounts.items()):
        who = {"people": [principal]} if kind is PrincipalType.USER else {"groups": [principal]}
        rules.append(
            {
                "name": _rule_name(kind, principal, permission_set),
                "who": who,
                "where": _where(ids, account_names or {}),
                "what": [permission_set],
            }
        )
    return {
        "settings.yaml": _dump({"settings": settings}),
        "people.yaml": _dump({"people": people, "teams": teams, "groups": groups}),
        "permission-sets.yaml": _dump(
            {"permission_sets": [_permission_set(s) for _, s in sorted(state.permission_sets.items())]}
        ),
        "rules.yaml": _dump({"rules": rules}),
    }


def usable_account_names(accounts: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Of (id, name) pairs, the names a selector can use: held by one account only, no glob characters."""
    pairs = list(accounts)
    counts = Counter(name for _, name in pairs)
    return {i: n for i, n in pairs if counts[n] == 1 and n and not GLOB.search(n)}


def _where(ids: list[str], names: Mapping[str, str]) -> dict[str, list[str]]:
    if all(i in names for i in ids):
        return {"names": sorted(names[i] for i in ids)}
    return {"ids": sorted(ids)}


def _rule_name(kind: PrincipalType, principal: str, permission_set: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9@._-]+", "-", principal)
    return f"imported-{kind.value.lower()}-{slug}-{permission_set}"


def _permission_set(spec: PermissionSetSpec) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": spec.name,
        "description": spec.description,
        "session_duration": spec.session_duration,
    }
    if spec.managed_policies:
        document["managed_policies"] = list(spec.managed_policies)
    if spec.customer_managed_policies:
        document["customer_managed_policies"] = [
            {"name": r.name, "path": r.path} for r in spec.customer_managed_policies
        ]
    if spec.inline_policy:
        document["inline_policy"] = json.loads(spec.inline_policy)
    boundary = spec.permissions_boundary
    if boundary is not None:
        document["permissions_boundary"] = (
            {"managed_policy_arn": boundary.managed_policy_arn}
            if boundary.managed_policy_arn
            else {
                "customer_managed": {
                    "name": boundary.customer_managed.name,
                    "path": boundary.customer_managed.path,
                }
            }
            if boundary.customer_managed
            else {}
        )
    if spec.tags:
        document["tags"] = dict(spec.tags)
    return document


def _dump(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
