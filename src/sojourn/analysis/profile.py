"""How much a policy allows, by access level: List, Read, Write, Permissions management, Tagging.

Allowed actions are those of the Allow statements (Action patterns and NotAction complements expanded
through the catalogue), less those a Deny statement refuses outright: no condition and Resource "*" (a
conditional or resource-scoped Deny still leaves the action allowed somewhere).
Actions the catalogue does not know are not counted.
"""

from __future__ import annotations

from sojourn.catalog import ActionCatalog
from sojourn.policy.model import Effect, Policy, Statement


def statement_actions(statement: Statement, catalog: ActionCatalog) -> frozenset[str]:
    """The catalogue actions that the statement's Action or NotAction names."""
    if statement.not_actions is not None:
        return catalog.expand_not_action(statement.not_actions)
    found: set[str] = set()
    for pattern in statement.actions or ():
        found |= catalog.expand(pattern)
    return frozenset(found)


def _denied_outright(statement: Statement) -> bool:
    return statement.effect is Effect.DENY and not statement.conditions and statement.resources == ("*",)


def allowed_actions(policy: Policy, catalog: ActionCatalog) -> frozenset[str]:
    allowed: set[str] = set()
    for statement in policy.statements:
        if statement.effect is Effect.ALLOW:
            allowed |= statement_actions(statement, catalog)
    for statement in policy.statements:
        if _denied_outright(statement):
            allowed -= statement_actions(statement, catalog)
    return frozenset(allowed)


def access_level_profile(policy: Policy, catalog: ActionCatalog) -> dict[str, int]:
    """Allowed actions counted per access level; every level is present, zero when none."""
    return catalog.access_level_profile(allowed_actions(policy, catalog))
