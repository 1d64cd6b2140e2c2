"""What a policy allows on every resource ("*"), sorted into risk categories derived from the catalogue.

- resource exposure: "Permissions management" actions (they change who may use a resource);
- infrastructure modification: "Write" actions;
- credentials exposure: Read or Write actions whose name says they hand out a credential;
- data exfiltration: Read actions whose name says they return stored data.
Only unconstrained grants count (Resource "*"); a Deny with no condition on "*" takes actions away.
"""

from __future__ import annotations

import re

from sojourn.analysis.profile import statement_actions
from sojourn.catalog import ActionCatalog
from sojourn.policy.model import Effect, Policy

CREDENTIAL = re.compile(
    r"^(get|create|generate|update|reset|send|retrieve)\w*"
    r"(credential|token|password|secretvalue|accesskey|loginprofile|sshpublickey|authorizationtoken)",
)
DATA = re.compile(
    r"^(get(object|item|secretvalue|parameters?|parametersbypath|records|logevents|queryresults|blob|file)"
    r"|batchgetitem|query|scan|decrypt|receivemessage|selectobjectcontent|download\w*|export\w*)$",
)


def unconstrained_actions(policy: Policy, catalog: ActionCatalog) -> frozenset[str]:
    allowed: set[str] = set()
    for statement in policy.statements:
        if statement.effect is Effect.ALLOW and statement.resources == ("*",) and not statement.conditions:
            allowed |= statement_actions(statement, catalog)
    for statement in policy.statements:
        if statement.effect is Effect.DENY and statement.resources == ("*",) and not statement.conditions:
            allowed -= statement_actions(statement, catalog)
    return frozenset(allowed)


def risk_categories(policy: Policy, catalog: ActionCatalog) -> dict[str, tuple[str, ...]]:
    """Category -> the actions in it, sorted; every category present, empty when none."""
    found: dict[str, set[str]] = {
        "resource-exposure": set(),
        "infrastructure-modification": set(),
        "credentials-exposure": set(),
        "data-exfiltration": set(),
    }
    for action in unconstrained_actions(policy, catalog):
        for category in categories_of(action, catalog):
            found[category].add(action)
    return {category: tuple(sorted(actions)) for category, actions in found.items()}


def categories_of(action: str, catalog: ActionCatalog) -> set[str]:
    level = catalog.access_level(action)
    name = action.split(":", 1)[1].lower()
    found = set()
    if level == "Permissions management":
        found.add("resource-exposure")
    if level == "Write":
        found.add("infrastructure-modification")
    if level in ("Read", "Write") and CREDENTIAL.match(name):
        found.add("credentials-exposure")
    if level == "Read" and DATA.match(name):
        found.add("data-exfiltration")
    return found
