"""What a policy allows on every resource ("*"), sorted into risk categories derived from the catalogue.

- resource exposure: "Permissions management" actions (they change who may use a resource);
- infrastructure modification: "Write" actions;
- credentials exposure: Read or Write actions whose name says they hand out a credential;
- data exfiltration: Read actions whose name says they return stored data.
Only unconstrained grants count (Resource "*"); a Deny with no condition on "*" takes actions away.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from sojourn.analysis.profile import each_statement_bits
from sojourn.catalog import ActionBits, ActionCatalog
from sojourn.policy.model import Effect, Policy, Statement

CREDENTIAL = re.compile(
    r"^(get|create|generate|update|reset|send|retrieve)\w*"
    r"(credential|token|password|secretvalue|accesskey|loginprofile|sshpublickey|authorizationtoken)",
)
DATA = re.compile(
    r"^(get(object|item|secretvalue|parameters?|parametersbypath|records|logevents|queryresults|blob|file)"
    r"|batchgetitem|query|scan|decrypt|receivemessage|selectobjectcontent|download\w*|export\w*)$",
)


CATEGORIES = ("resource-exposure", "infrastructure-modification", "credentials-exposure", "data-exfiltration")


def _unconstrained(statement: Statement) -> bool:
    return "*" in (statement.resources or ()) and not statement.conditions


def unconstrained_bits(
    policy: Policy, catalog: ActionCatalog, each: Sequence[ActionBits] | None = None
) -> ActionBits:
    each = each_statement_bits(policy, catalog) if each is None else each
    allowed = 0
    for statement, bits in zip(policy.statements, each, strict=True):
        if statement.effect is Effect.ALLOW and _unconstrained(statement):
            allowed |= bits
    for statement, bits in zip(policy.statements, each, strict=True):
        if statement.effect is Effect.DENY and _unconstrained(statement):
            allowed &= ~bits
    return allowed


def unconstrained_actions(policy: Policy, catalog: ActionCatalog) -> frozenset[str]:
    return frozenset(catalog.names(unconstrained_bits(policy, catalog)))


def risk_category_bits(
    policy: Policy, catalog: ActionCatalog, each: Sequence[ActionBits] | None = None
) -> dict[str, ActionBits]:
    """Category -> the unconstrained actions in it; every category present, 0 when none."""
    allowed = unconstrained_bits(policy, catalog, each)
    return {category: allowed & bits for category, bits in category_bits(catalog).items()}


def risk_categories(policy: Policy, catalog: ActionCatalog) -> dict[str, tuple[str, ...]]:
    """Category -> the actions in it, sorted; every category present, empty when none."""
    return {category: catalog.names(bits) for category, bits in risk_category_bits(policy, catalog).items()}


@lru_cache(maxsize=4)
def category_bits(catalog: ActionCatalog) -> dict[str, ActionBits]:
    """Every catalogue action of each category, built once per catalogue."""
    read, write = catalog.level_bits("Read"), catalog.level_bits("Write")
    names = catalog.names(read | write)
    lowered = [name.partition(":")[2].lower() for name in names]
    credentials = catalog.bits_of(n for n, a in zip(names, lowered, strict=True) if CREDENTIAL.match(a))
    data = catalog.bits_of(n for n, a in zip(names, lowered, strict=True) if DATA.match(a))
    return {
        "resource-exposure": catalog.level_bits("Permissions management"),
        "infrastructure-modification": write,
        "credentials-exposure": credentials,
        "data-exfiltration": data & read,
    }


def categories_of(action: str, catalog: ActionCatalog) -> set[str]:
    bit = catalog.bits_of((action,))
    return {category for category, bits in category_bits(catalog).items() if bits & bit}
