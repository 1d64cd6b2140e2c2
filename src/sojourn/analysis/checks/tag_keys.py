"""Tag condition keys with actions of services that do not support them (Access Analyzer's
ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE and DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE).

aws:ResourceTag/<key>, aws:RequestTag/<key> and aws:TagKeys are set only by services that list them in the
Service Authorization Reference (the catalogue's keys of each service). With an action of any other
service the key is missing from every request: an Allow conditioned on it never grants that action, and a
Deny conditioned on it never denies it. Judged: the services named by the statement's Action entries
(a service part with a wildcard, such as "*", is left alone, and so is NotAction).
"""

from __future__ import annotations

from collections.abc import Iterator

from sojourn.analysis.checks.common import statement_finding
from sojourn.analysis.finding import AnalysisContext, CheckMeta, Finding, Risk
from sojourn.catalog import ActionCatalog
from sojourn.policy.model import Effect, Policy, Statement

TAG_KEY_PREFIXES = ("aws:resourcetag/", "aws:requesttag/")

ALLOW_TAG_UNSUPPORTED = CheckMeta(
    id="tag-key-not-supported-by-service",
    severity=Risk.LOW,
    title="Allow conditioned on a tag key that a service of its actions does not support",
    remediation="Move the actions of services without tag keys to a statement without the tag condition, "
    "or scope them by resource instead.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "glacier:UploadArchive", '
    '"Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}}]}',
    aa_code="ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
)
DENY_TAG_UNSUPPORTED = CheckMeta(
    id="deny-tag-key-not-supported-by-service",
    severity=Risk.MEDIUM,
    title="Deny conditioned on a tag key that a service of its actions does not support, so it never applies",
    remediation="Deny those actions in a statement of their own, with a condition their service supports.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "glacier:DeleteVault", '
    '"Resource": "*", "Condition": {"StringNotEquals": {"aws:ResourceTag/team": "blue"}}}]}',
    aa_code="DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
)


def is_tag_key(key: str) -> bool:
    lowered = key.lower()
    return lowered == "aws:tagkeys" or lowered.startswith(TAG_KEY_PREFIXES)


def _named_services(statement: Statement, catalog: ActionCatalog) -> list[str]:
    services: dict[str, None] = {}
    for pattern in statement.actions or ():
        prefix = pattern.partition(":")[0]
        if pattern != "*" and "*" not in prefix and "?" not in prefix and catalog.knows_service(prefix):
            services[prefix.lower()] = None
    return list(services)


def allow_with_unsupported_tag_keys(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    return _unsupported(policy, context, Effect.ALLOW, ALLOW_TAG_UNSUPPORTED)


def deny_with_unsupported_tag_keys(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    return _unsupported(policy, context, Effect.DENY, DENY_TAG_UNSUPPORTED)


def _unsupported(
    policy: Policy, context: AnalysisContext, effect: Effect, meta: CheckMeta
) -> Iterator[Finding]:
    catalog = context.catalog
    if catalog is None:
        return
    for statement in policy.statements:
        if statement.effect is not effect or statement.actions is None:
            continue
        keys = [c.key for c in statement.conditions if is_tag_key(c.key)]
        if not keys:
            continue
        services = _named_services(statement, catalog)
        for key in dict.fromkeys(keys):
            missing = [s for s in services if not catalog.supports_key(s, key)]
            if missing:
                yield statement_finding(
                    meta, policy, statement, f"{key} is not supported by {', '.join(missing)}"
                )
