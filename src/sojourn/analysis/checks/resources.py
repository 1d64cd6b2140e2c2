"""Actions paired with resources they cannot act on (needs the catalogue; without it nothing is found).

An Allow whose Resource list names only ARNs (no "*") grants an action only if one listed ARN can be a
resource of a type the action supports. A listed ARN and a type's ARN pattern are compared as two
wildcard patterns that may overlap: a policy `*` or `${variable}` is any text; a type's `${...}` is any
text too, except `${Partition}`, `${Region}`, `${Account}` and `${BucketName}`, which never hold "/" or
":" (so "arn:aws:s3:::bucket/*" is an object, never a bucket). Letters compare case-insensitively.

Decided limits, all to avoid false alarms: wildcard actions are not judged; an action whose catalogue
entry lacks a type's ARN is skipped; an action that supports no resource type ("*" only) is reported
unless a listed ARN ends in a bare `*` resource part (e.g. "arn:aws:s3:::*"), which AWS accepts for
several such actions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from sojourn.analysis.checks.common import has_wildcard, same_service_possible, statement_finding
from sojourn.analysis.finding import AnalysisContext, CheckMeta, Finding, Risk
from sojourn.catalog import ActionCatalog
from sojourn.policy.model import Effect, Policy, Statement

ANY = "\x00any"
SEGMENT = "\x00segment"
ONE = "\x00one"
STARS = frozenset({ANY, SEGMENT})
SEGMENT_VARIABLES = frozenset({"partition", "region", "account", "bucketname"})
_TOKEN = re.compile(r"\$\{([^}]*)\}|.", re.S)

ACTION_RESOURCE_MISMATCH = CheckMeta(
    id="action-resource-mismatch",
    severity=Risk.LOW,
    title="Action allowed only on resources it never acts on",
    remediation='List the ARNs of the resource types the action supports, or "*" for actions that '
    "support no resource type.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", '
    '"Resource": "arn:aws:s3:::reports/*"}]}',
)


@lru_cache(maxsize=65_536)
def _tokens(pattern: str, segment_variables: frozenset[str]) -> tuple[str, ...]:
    tokens: list[str] = []
    for match in _TOKEN.finditer(pattern):
        variable, char = match.group(1), match.group(0)
        if variable is not None:
            tokens.append(SEGMENT if variable.lower() in segment_variables else ANY)
        else:
            tokens.append(ANY if char == "*" else ONE if char == "?" else char.lower())
    return tuple(tokens)


@lru_cache(maxsize=16_384)
def _type_regex(arn: str) -> re.Pattern[str]:
    """Fast path: the policy ARN read literally fits the type's pattern (its wildcards taken as letters)."""
    parts = []
    for token in _tokens(arn, SEGMENT_VARIABLES):
        parts.append(
            "[^/:]*"
            if token == SEGMENT
            else ".*"
            if token == ANY
            else "."
            if token == ONE
            else re.escape(token)
        )
    return re.compile("".join(parts), re.S)


def patterns_overlap(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """Whether some text matches both token patterns: dynamic programming over both suffixes, row by row.

    A cell holds whether left[i:] and right[j:] overlap; a star may match nothing (move down or right) or
    eat the other side's next character when it fits (a segment star never eats "/" or ":").
    """
    n, m = len(left), len(right)
    right_star = [t in STARS for t in right]
    below = [False] * (m + 1)
    below[m] = True
    for j in range(m - 1, -1, -1):
        below[j] = right_star[j] and below[j + 1]
    for i in range(n - 1, -1, -1):
        p = left[i]
        p_star = p in STARS
        p_fits = p == ONE or (p != "/" and p != ":")
        row = [False] * (m + 1)
        row[m] = p_star and below[m]
        for j in range(m - 1, -1, -1):
            q = right[j]
            if (p_star and below[j]) or (right_star[j] and row[j + 1]):
                row[j] = True
            elif p_star:
                row[j] = (
                    not right_star[j] and row[j + 1] and (p == ANY or q == ONE or (q != "/" and q != ":"))
                )
            elif right_star[j]:
                row[j] = below[j] and (q == ANY or p_fits)
            else:
                row[j] = below[j + 1] and (p in (q, ONE) or q == ONE)
        below = row
    return below[0]


@lru_cache(maxsize=65_536)
def resource_fits(resource: str, type_arns: tuple[str, ...]) -> bool:
    """Whether the policy resource can name a resource of one of the types (given by ARN pattern)."""
    if any(_type_regex(arn).fullmatch(resource.lower()) for arn in type_arns):
        return True
    mine = _tokens(resource, frozenset())
    return any(
        same_service_possible(resource, arn, index=2)
        and patterns_overlap(mine, _tokens(arn, SEGMENT_VARIABLES))
        for arn in type_arns
    )


def _bare_star(resource: str) -> bool:
    parts = resource.split(":", 5)
    return len(parts) == 6 and parts[5] == "*"


def _mismatch(catalog: ActionCatalog, action: str, resources: tuple[str, ...]) -> str | None:
    info = catalog.action(action)
    if info is None or any(not r.arn for r in info.resource_types):
        return None
    if info.wildcard_only:
        if any(_bare_star(r) for r in resources):
            return None
        return f'{info.name} supports only Resource "*"; the listed ARNs never grant it'
    arns = tuple(r.arn for r in info.resource_types)
    if any(resource_fits(resource, arns) for resource in resources):
        return None
    names = ", ".join(r.name for r in info.resource_types)
    return f"{info.name} acts on {names}; none of the listed resources is one"


def _specific(statement: Statement) -> tuple[str, ...] | None:
    resources = statement.resources
    if statement.effect is not Effect.ALLOW or not resources or "*" in resources:
        return None
    return resources


def action_resource_mismatch(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    catalog = context.catalog
    if catalog is None:
        return
    for statement in policy.statements:
        resources = _specific(statement)
        if resources is None:
            continue
        for action in statement.actions or ():
            problem = None if has_wildcard(action) else _mismatch(catalog, action, resources)
            if problem:
                yield statement_finding(ACTION_RESOURCE_MISMATCH, policy, statement, problem)
