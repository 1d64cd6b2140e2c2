"""Risk categories judged on everything a principal holds, by the engine: the union of its policies, its
boundary and SCPs, Deny statements and conditions all count, and only grants on any resource (a probe ARN
that names nothing in particular) count, so a grant limited to named resources does not."""

from __future__ import annotations

from sojourn.analysis.escalation import probe_resource
from sojourn.analysis.graph_build import GraphBuilder
from sojourn.analysis.holders import Holder
from sojourn.analysis.profile import statement_actions
from sojourn.analysis.risk_categories import categories_of
from sojourn.policy.model import Effect


def principal_risks(builder: GraphBuilder, holder: Holder) -> dict[str, tuple[str, ...]]:
    key = holder.shape
    cached = builder.risks.get(key)
    if cached is not None:
        return cached
    policies = builder.library.sets[key].identity
    mentioned: set[str] = set()
    for policy in policies:
        for statement in policy.statements:
            if statement.effect is Effect.ALLOW:
                mentioned |= statement_actions(statement, builder.catalog)
    found: dict[str, set[str]] = {}
    for action in sorted(mentioned):
        categories = categories_of(action, builder.catalog)
        if categories and builder.allowed(
            holder, action, probe_resource(action, builder.catalog, holder.account)
        ):
            for category in categories:
                found.setdefault(category, set()).add(action)
    result = {category: tuple(sorted(actions)) for category, actions in sorted(found.items())}
    builder.risks[key] = result
    return result
