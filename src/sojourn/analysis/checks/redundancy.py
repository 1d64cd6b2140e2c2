"""Items a statement lists twice over: an action or resource that another entry of the same list covers.

Entry x is covered by entry y when every name x matches, y matches too. That is decided without the
catalogue: x is read as text (its wildcards as plain characters) and matched against y, which is exact
when y has no `?` or x has no wildcard (y's `*` then also covers whatever x's wildcards stand for).
Actions compare case-insensitively, resources as ARNs segment by segment. Of two entries that cover each
other (duplicates), the later one is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from sojourn.analysis.checks.common import has_wildcard, statement_finding
from sojourn.analysis.finding import AnalysisContext, CheckMeta, Finding, Risk
from sojourn.policy.model import Policy, Statement
from sojourn.policy.wildcards import action_matches, arn_matches

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
    aa_code="REDUNDANT_ACTION",
)


def _resource_matches(pattern: str, value: str) -> bool:
    return value == pattern or arn_matches(value, pattern)


def covers(matches: Matcher, wider: str, narrower: str) -> bool:
    """Whether every name the narrower entry matches is matched by the wider one."""
    if has_wildcard(narrower) and "?" in wider:
        return False
    return matches(wider, narrower)


Key = tuple[str, str] | None
"""An entry's compared text (an action in lower case, an ARN's resource part) and the literal part of it
before any wildcard. An entry covers only entries whose compared text begins with its literal part. None
where that is not known: outside ASCII (case folding, the stand-ins of ${*} ${?} ${$}) and for a resource
that is not a six-part ARN; such pairs are always matched in full."""


def _candidates(items: tuple[str, ...], is_action: bool) -> tuple[list[list[int]], list[Key]] | None:
    """For each entry, the entries that could cover it (itself included): wildcards of its service or of
    any service, and the same text in any case; and each entry's key. None when none could cover another.
    """
    joined = "".join(items)
    if "*" not in joined and "?" not in joined and len(set(map(str.lower, items))) == len(items):
        return None
    lowered = [item.lower() for item in items]
    twins = len(set(lowered)) < len(items)
    services: list[str] = []
    keys: list[Key] = []
    wild: dict[str, list[int]] = {}
    for j, item in enumerate(items):
        low = lowered[j]
        if low.startswith("arn:"):
            parts = low.split(":", 3)
            service = parts[2] if len(parts) > 2 else low
        else:
            service = low.partition(":")[0]
        services.append(service)
        text: str | None = low
        if not item.isascii():
            text = None
        elif not is_action:
            parts = item.split(":", 5)
            text = parts[5] if len(parts) == 6 else None
        if "*" in item or "?" in item:
            wild.setdefault(service, []).append(j)
            if text is not None:
                star, mark = text.find("*"), text.find("?")
                cut = star if mark < 0 else mark if star < 0 else min(star, mark)
                keys.append((text, text if cut < 0 else text[:cut]))
            else:
                keys.append(None)
        else:
            keys.append(None if text is None else (text, text))
    anywhere = [j for key, found in wild.items() if has_wildcard(key) for j in found]
    if anywhere:
        wild = {key: sorted(set(found + anywhere)) for key, found in wild.items()}
        anywhere.sort()
    result = [wild.get(service, anywhere) for service in services]
    if twins:
        same: dict[str, list[int]] = {}
        for j, item in enumerate(lowered):
            same.setdefault(item, []).append(j)
        for i, item in enumerate(lowered):
            if len(same[item]) > 1:
                result[i] = sorted(set(result[i]) | set(same[item]))
    return result, keys


def redundant(items: tuple[str, ...], matches: Matcher, is_action: bool) -> Iterator[tuple[str, str]]:
    """(entry, the entry that covers it) for each redundant entry, in list order."""
    found = _candidates(items, is_action) if len(items) > 1 else None
    if found is None:
        return
    candidates, keys = found
    for i, others in enumerate(candidates):
        item, mine = items[i], keys[i]
        for j in others:
            theirs = keys[j]
            if j == i or (mine is not None and theirs is not None and not mine[0].startswith(theirs[1])):
                continue
            other = items[j]
            if not covers(matches, other, item):
                continue
            if j < i or (mine is not None and theirs is not None and not theirs[0].startswith(mine[1])):
                yield item, other
                break
            if not covers(matches, item, other):
                yield item, other
                break


def redundant_entries(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        actions, resources = statement.actions, statement.resources
        if (actions is None or len(actions) < 2) and (resources is None or len(resources) < 2):
            continue
        for item, other in redundant(actions or (), action_matches, True):
            same = item.lower() == other.lower()
            yield _finding(policy, statement, f"action {item}", other, same)
        for item, other in redundant(resources or (), _resource_matches, False):
            yield _finding(policy, statement, f"resource {item}", other, item == other)


def _finding(policy: Policy, statement: Statement, entry: str, other: str, same: bool) -> Finding:
    detail = f"{entry} is listed twice" if same else f"{entry} is already covered by {other}"
    finding = statement_finding(REDUNDANT, policy, statement, detail)
    return finding if entry.startswith("action") else replace(finding, aa_code="REDUNDANT_RESOURCE")
