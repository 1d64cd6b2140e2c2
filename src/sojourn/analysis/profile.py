"""How much a policy allows, by access level: List, Read, Write, Permissions management, Tagging.

Allowed actions are those of the Allow statements (Action patterns and NotAction complements expanded
through the catalogue), less those a Deny statement refuses outright: no condition and Resource "*" (a
conditional or resource-scoped Deny still leaves the action allowed somewhere).
Actions the catalogue does not know are not counted.
"""

from __future__ import annotations

from collections.abc import Sequence

from sojourn.catalog import ActionBits, ActionCatalog
from sojourn.policy.model import Effect, Policy, Statement


def statement_bits(statement: Statement, catalog: ActionCatalog) -> ActionBits:
    """The catalogue actions that the statement's Action or NotAction names."""
    if statement.not_actions is not None:
        return catalog.not_action_bits(statement.not_actions)
    return catalog.union_bits(statement.actions or ())


def statement_actions(statement: Statement, catalog: ActionCatalog) -> frozenset[str]:
    return frozenset(catalog.names(statement_bits(statement, catalog)))


def denied_outright(statement: Statement) -> bool:
    return statement.effect is Effect.DENY and not statement.conditions and "*" in (statement.resources or ())


def each_statement_bits(policy: Policy, catalog: ActionCatalog) -> tuple[ActionBits, ...]:
    """statement_bits of every statement, in order: compute once, pass to the functions below."""
    return tuple(statement_bits(statement, catalog) for statement in policy.statements)


def granted_bits(
    policy: Policy, catalog: ActionCatalog, each: Sequence[ActionBits] | None = None
) -> ActionBits:
    """Every action some Allow statement names, on any resource and under any condition."""
    each = each_statement_bits(policy, catalog) if each is None else each
    granted = 0
    for statement, bits in zip(policy.statements, each, strict=True):
        if statement.effect is Effect.ALLOW:
            granted |= bits
    return granted


def less_outright_denies(
    policy: Policy, catalog: ActionCatalog, bits: ActionBits, each: Sequence[ActionBits] | None = None
) -> ActionBits:
    each = each_statement_bits(policy, catalog) if each is None else each
    for statement, denied in zip(policy.statements, each, strict=True):
        if denied_outright(statement):
            bits &= ~denied
    return bits


def allowed_bits(policy: Policy, catalog: ActionCatalog) -> ActionBits:
    each = each_statement_bits(policy, catalog)
    return less_outright_denies(policy, catalog, granted_bits(policy, catalog, each), each)


def allowed_actions(policy: Policy, catalog: ActionCatalog) -> frozenset[str]:
    return frozenset(catalog.names(allowed_bits(policy, catalog)))


def access_level_profile(policy: Policy, catalog: ActionCatalog) -> dict[str, int]:
    """Allowed actions counted per access level; every level is present, zero when none."""
    return catalog.access_level_counts(allowed_bits(policy, catalog))
