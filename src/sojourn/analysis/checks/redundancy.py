"""Items a statement lists twice over: an action or resource that another entry of the same list covers.

Entry x is covered by entry y when every name x matches, y matches too. That is decided without the
catalogue: x is read as text (its wildcards as plain characters) and matched against y, which is exact
when y has no `?` or x has no wildcard (y's `*` then also covers whatever x's wildcards stand for).
Actions compare case-insensitively, resources as ARNs segment by segment. Of two entries that cover each
other (duplicates), the later one is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sojourn.analysis.checks.common import has_wildcard, statement_finding
from sojourn.analysis.finding import AnalysisContext, CheckMeta, Finding, Risk
from sojourn.policy.model import Policy, Statement
from sojourn.policy.wildcards import LITERALS, action_matches, arn_matches

Matcher = Callable[[str, str], bool]
"""(pattern, value) -> whether the pattern matches the value read as text."""

REDUNDANT = CheckMeta(
    id="redundant-action",
    severity=Risk.INFO,
    title="Action or resource already covered by another entry of the same statement",
    remediation="Remove the entry; the wildcard (or the earlier duplicate) already grants it.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"AWS": "arn:aws:iam::111122223333:role/ci"}, '
    '"Action": ["sts:AssumeRole", "sts:*"]}]}',
)


def _resource_matches(pattern: str, value: str) -> bool:
    if value == pattern or pattern == "*":
        return True
    wanted, parts = pattern.split(":", 5), value.split(":", 5)
    if len(wanted) == 6 and len(parts) == 6 and not any(ch in LITERALS for ch in pattern):
        for mine, theirs in zip(wanted[:5], parts[:5], strict=True):
            if mine != theirs and not has_wildcard(mine):
                return False  # a literal segment differs: no wildcard elsewhere can make up for it
        last = wanted[5]
        cut = min((i for i in (last.find("*"), last.find("?")) if i >= 0), default=len(last))
        if not parts[5].startswith(last[:cut]):
            return False
    return arn_matches(value, pattern)


def covers(matches: Matcher, wider: str, narrower: str) -> bool:
    """Whether every name the narrower entry matches is matched by the wider one."""
    if has_wildcard(narrower) and "?" in wider:
        return False
    return matches(wider, narrower)


def _candidates(items: tuple[str, ...]) -> list[list[int]]:
    """For each entry, the other entries that could cover it: wildcards, and the same text in any case."""
    wild: dict[str, list[int]] = {}
    same: dict[str, list[int]] = {}
    for j, item in enumerate(items):
        same.setdefault(item.lower(), []).append(j)
        if has_wildcard(item):
            wild.setdefault(_service(item), []).append(j)
    if not wild and len(same) == len(items):
        return [[] for _ in items]
    anywhere = [j for key, found in wild.items() if has_wildcard(key) for j in found]
    per_service: dict[str, list[int]] = {}
    result = []
    for i, item in enumerate(items):
        service = _service(item)
        base = per_service.get(service)
        if base is None:
            base = per_service[service] = sorted(set(wild.get(service, []) + anywhere))
        twins = same[item.lower()]
        found = sorted(set(base) | set(twins)) if len(twins) > 1 else base
        result.append([j for j in found if j != i])
    return result


def _service(entry: str) -> str:
    """The service part of an action ("s3" of "s3:Get*") or of an ARN ("s3" of "arn:aws:s3:::b")."""
    parts = entry.lower().split(":")
    index = 2 if parts[0] == "arn" else 0
    return parts[index] if len(parts) > index else entry.lower()


def redundant(items: tuple[str, ...], matches: Matcher) -> Iterator[tuple[str, str]]:
    """(entry, the entry that covers it) for each redundant entry, in list order."""
    if len(items) < 2:
        return
    for i, candidates in enumerate(_candidates(items)):
        item = items[i]
        for j in candidates:
            other = items[j]
            if covers(matches, other, item) and (j < i or not covers(matches, item, other)):
                yield item, other
                break


def redundant_entries(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        for item, other in redundant(statement.actions or (), action_matches):
            same = item.lower() == other.lower()
            yield _finding(policy, statement, f"action {item}", other, same)
        for item, other in redundant(statement.resources or (), _resource_matches):
            yield _finding(policy, statement, f"resource {item}", other, item == other)


def _finding(policy: Policy, statement: Statement, entry: str, other: str, same: bool) -> Finding:
    detail = f"{entry} is listed twice" if same else f"{entry} is already covered by {other}"
    return statement_finding(REDUNDANT, policy, statement, detail)
