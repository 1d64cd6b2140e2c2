"""Risk categories judged on everything a principal holds, by the engine: the union of its policies, its
boundary and SCPs, Deny statements and conditions all count, and only grants on any resource (a probe ARN
that names nothing in particular) count, so a grant limited to named resources does not."""

from __future__ import annotations

from sojourn.analysis.escalation import probe_resource
from sojourn.analysis.graph_build import GraphBuilder
from sojourn.analysis.holders import Holder
from sojourn.analysis.profile import granted_bits
from sojourn.analysis.risk_categories import categories_of, category_bits


def principal_risks(builder: GraphBuilder, holder: Holder) -> dict[str, tuple[str, ...]]:
    key = holder.shape
    cached = builder.risks.get(key)
    if cached is not None:
        return cached
    policies = builder.library.sets[key].identity
    catalog = builder.catalog
    mentioned = 0
    for policy in policies:
        mentioned |= granted_bits(policy, catalog)
    risky = 0
    for bits in category_bits(catalog).values():
        risky |= bits
    found: dict[str, set[str]] = {}
    for action in catalog.names(mentioned & risky):
        categories = categories_of(action, catalog)
        if builder.allowed(holder, action, probe_resource(action, catalog, holder.account)):
            for category in categories:
                found.setdefault(category, set()).add(action)
    result = {category: tuple(sorted(actions)) for category, actions in sorted(found.items())}
    builder.risks[key] = result
    return result
