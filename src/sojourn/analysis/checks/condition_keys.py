"""Condition keys against the catalogue: keys none of the statement's actions has, operators of another type.

`condition-key-not-supported`: a service key (not aws:) that none of the statement's actions, expanded
through the catalogue, lists, either itself or on one of its resource types; such a condition sees a
missing key on every request. The reference data is incomplete in places (the ssm managed-instance type
lists `ssm:resourceTag/tag-key` where `${TagKey}` is meant; ecs:UpdateService lists no ecs:cluster), so,
to avoid false alarms, a key is judged only when no action of the statement has a resource type of the
key's service (own prefix or ARN service): "s3:prefix" is reported with ec2:DescribeInstances or
s3:ListAllMyBuckets, not with s3:GetObject. Also not judged: keys no action lists, keys of unknown
prefixes (token.actions.githubusercontent.com:sub, saml:aud), the role-credential keys that AWS sets on
every request made from an instance or function (`CREDENTIAL_KEYS`), statements with NotAction or with
an action the catalogue does not know.

`condition-operator-type-mismatch`: the operator compares a type other than the key's (types from the
catalogue and the global keys). Flagged: String operators on Bool, Date, Numeric, ARN and IPAddress keys
(on ARN keys only StringLike and StringNotLike, as Access Analyzer does, with ArnLike suggested), Bool on
any non-Bool key, Numeric on any non-Numeric key, Date on keys that are neither Date nor Numeric (Date
operators accept epoch seconds), IpAddress on any non-IPAddress key, Arn operators on Bool, Date, Numeric
and IPAddress keys. Not flagged: Arn operators on String keys (many String keys hold ARNs), Null and
Binary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache

from sojourn.analysis.checks.common import statement_finding
from sojourn.analysis.finding import AnalysisContext, CheckMeta, Finding, Risk
from sojourn.catalog import ActionBits, ActionCatalog
from sojourn.policy.model import Condition, Policy, Statement
from sojourn.policy.operators import operator_family

_VARIABLE = re.compile(r"\$\{[^}]*\}|<[^>]*>")

CREDENTIAL_KEYS = frozenset(
    {
        "ec2:sourceinstancearn",
        "ec2:roledelivery",
        "ssm:sourceinstancearn",
        "lambda:sourcefunctionarn",
        "glue:roleassumedby",
        "glue:credentialissuingservice",
    }
)

KEY_NOT_SUPPORTED = CheckMeta(
    id="condition-key-not-supported",
    severity=Risk.LOW,
    title="Condition key that none of the statement's actions supports",
    remediation="Move the condition to a statement whose actions support the key, or use the key the "
    "actions document (see the Service Authorization Reference).",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"AWS": "arn:aws:iam::111122223333:role/ci"}, "Action": "sts:AssumeRole", '
    '"Condition": {"StringLike": {"s3:prefix": "home/*"}}}]}',
)
OPERATOR_TYPE_MISMATCH = CheckMeta(
    id="condition-operator-type-mismatch",
    severity=Risk.MEDIUM,
    title="Condition operator compares a different type than the key has",
    remediation="Use the operator family of the key's type: Bool, Numeric..., Date..., IpAddress, Arn...",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"AWS": "arn:aws:iam::111122223333:role/ci"}, "Action": "sts:AssumeRole", '
    '"Condition": {"StringEquals": {"aws:MultiFactorAuthPresent": "true"}}}]}',
    aa_code="TYPE_MISMATCH",
)


# -- condition-key-not-supported ----------------------------------------------------------------------


class KeyIndex:
    """Which actions list each condition key (as catalogue bits): exact keys, and keys with a ${...} part
    as patterns."""

    def __init__(self, catalog: ActionCatalog) -> None:
        listed = _actions_by_key(catalog)
        self.exact: Mapping[str, ActionBits] = {k: v for k, v in listed.items() if "*" not in k}
        self.patterns = tuple(
            (re.compile(re.escape(k).replace(r"\*", ".+")), v) for k, v in listed.items() if "*" in k
        )
        self.supporters = lru_cache(maxsize=4096)(self._supporters)
        self.resource_services = lru_cache(maxsize=65_536)(self._resource_services)
        self._catalog = catalog

    def _supporters(self, key: str) -> ActionBits:
        """Actions that list the (lower-case) key; 0 when no action lists it."""
        found = self.exact.get(key, 0)
        for regex, actions in self.patterns:
            if regex.fullmatch(key):
                found |= actions
        return found

    def _resource_services(self, action: str) -> frozenset[str]:
        """Services whose resource types the action acts on: its own, and each type's ARN service."""
        info = self._catalog.action(action)
        if info is None or info.wildcard_only:
            return frozenset()
        arn_services = {r.arn.split(":")[2].lower() for r in info.resource_types if r.arn.count(":") >= 5}
        return frozenset({action.partition(":")[0].lower(), *arn_services})


def _actions_by_key(catalog: ActionCatalog) -> dict[str, ActionBits]:
    """Lower-case service key (a ${...} or <...> part turned into *) -> the actions that list it, on the
    action or on one of its resource types."""
    found: dict[str, list[str]] = {}
    patterns: dict[str, str] = {}
    for prefix in catalog.services():
        service = catalog.service(prefix)
        for info in service.actions.values() if service else ():
            keys = [*info.condition_keys]
            for resource in info.resource_types:
                keys += resource.condition_keys
            for key in keys:
                if key.startswith("aws:"):
                    continue  # global keys are never judged
                pattern = patterns.get(key)
                if pattern is None:
                    lowered = key.lower()
                    pattern = patterns[key] = (
                        _VARIABLE.sub("*", lowered) if "$" in key or "<" in key else lowered
                    )
                found.setdefault(pattern, []).append(info.name)
    return {pattern: catalog.bits_of(names) for pattern, names in found.items()}


@lru_cache(maxsize=4)
def key_index(catalog: ActionCatalog) -> KeyIndex:
    return KeyIndex(catalog)


def expanded_actions(catalog: ActionCatalog, statement: Statement) -> ActionBits | None:
    """The statement's actions through the catalogue; None for NotAction, no actions, or any pattern
    matching nothing."""
    if not statement.actions:
        return None
    found = 0
    for pattern in statement.actions:
        actions = catalog.bits(pattern)
        if not actions:
            return None
        found |= actions
    return found


def _unsupported(catalog: ActionCatalog, condition: Condition, actions: ActionBits) -> bool:
    key = condition.key.lower()
    prefix = key.partition(":")[0]
    if prefix == "aws" or key in CREDENTIAL_KEYS or not catalog.knows_service(prefix):
        return False
    index = key_index(catalog)
    supporters = index.supporters(key)
    if not supporters or supporters & actions:
        return False
    return not any(prefix in index.resource_services(action) for action in catalog.names(actions))


def key_not_supported(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    catalog = context.catalog
    if catalog is None:
        return
    for statement in policy.statements:
        actions = expanded_actions(catalog, statement) if statement.conditions else None
        if actions is None:
            continue
        for condition in statement.conditions:
            if _unsupported(catalog, condition, actions):
                yield statement_finding(
                    KEY_NOT_SUPPORTED,
                    policy,
                    statement,
                    f"{condition.key} ({condition.operator}) is supported by none of the actions, "
                    "so the request never carries it",
                )


# -- condition-operator-type-mismatch -------------------------------------------------------------------

WRONG_TYPES = {
    "String": frozenset({"Bool", "Date", "Numeric", "ARN", "IPAddress"}),
    "Bool": frozenset({"String", "Date", "Numeric", "ARN", "IPAddress"}),
    "Numeric": frozenset({"String", "Date", "Bool", "ARN", "IPAddress"}),
    "Date": frozenset({"String", "Bool", "ARN", "IPAddress"}),
    "IPAddress": frozenset({"String", "Date", "Numeric", "Bool", "ARN"}),
    "ARN": frozenset({"Bool", "Date", "Numeric", "IPAddress"}),
}
LIKE_OPERATORS = frozenset({"StringLike", "StringNotLike"})
"""String operators reported on ARN keys: StringEquals compares an ARN exactly, as AWS's own examples do
and Access Analyzer accepts; StringLike should be ArnLike, which matches ARNs part by part."""
SUGGESTION = {
    "Bool": "Bool",
    "Date": "a Date operator",
    "Numeric": "a Numeric operator",
    "IPAddress": "IpAddress or NotIpAddress",
    "String": "a String operator",
}


def key_type(catalog: ActionCatalog, key: str) -> str | None:
    """The key's scalar type ("ArrayOfARN" -> "ARN", "Boolean" -> "Bool"), or None when unknown."""
    found = catalog.condition_key_type(key)
    if found is None:
        return None
    scalar = found.removeprefix("ArrayOf")
    return "Bool" if scalar == "Boolean" else scalar


def suggestion(base: str, kind: str) -> str:
    if kind == "ARN" and base.startswith("String"):
        return (
            base.replace("String", "Arn")
            .replace("ArnEqualsIgnoreCase", "ArnEquals")
            .replace("ArnNotEqualsIgnoreCase", "ArnNotEquals")
        )
    return SUGGESTION.get(kind, "an operator of its type")


def _mismatch(catalog: ActionCatalog, condition: Condition) -> str | None:
    family = operator_family(condition.base)
    kind = key_type(catalog, condition.key)
    if kind is None or kind not in WRONG_TYPES.get(family, frozenset()):
        return None
    if kind == "ARN" and family == "String" and condition.base not in LIKE_OPERATORS:
        return None
    return (
        f"{condition.operator} compares {family} values but {condition.key} is {kind}; "
        f"use {suggestion(condition.base, kind)}"
    )


def operator_type_mismatch(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    catalog = context.catalog
    if catalog is None:
        return
    for statement in policy.statements:
        for condition in statement.conditions:
            problem = _mismatch(catalog, condition)
            if problem:
                yield statement_finding(OPERATOR_TYPE_MISMATCH, policy, statement, problem)
