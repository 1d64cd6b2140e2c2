"""Least-privilege policy generation: the actions and resources a principal used, within what it holds."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sojourn.catalog.catalog import ActionBits, ActionCatalog
from sojourn.policy.model import Policy, PolicyKind
from sojourn.policy.parser import ParseResult, parse_policy_document
from sojourn.policy.quotas import QUOTAS, policy_size
from sojourn.usage.closed_sets import closed_wildcards
from sojourn.usage.granted_today import ANY, GrantAnswer, GrantedToday
from sojourn.usage.level_diff import LevelChange, level_changes
from sojourn.usage.lines import UsageLine

VERSION = "2012-10-17"


class PolicyReview(Protocol):
    """The policy engine's judgement of a policy (the analysis package's, given by the service layer)."""

    def allowed(self, policy: Policy) -> ActionBits:
        """The catalogue actions the policy allows on some resource."""
        ...

    def problems(self, parsed: ParseResult) -> tuple[str, ...]:
        """Validator issues and analysis findings above low, as lines; empty when the policy is sound."""
        ...


class Target(StrEnum):
    """Where the generated policy will live, which sets its size limit."""

    IDENTITY_INLINE = "identity-inline"
    MANAGED = "managed"
    PERMISSION_SET_INLINE = "permission-set-inline"

    @property
    def kind(self) -> PolicyKind:
        return {
            Target.IDENTITY_INLINE: PolicyKind.INLINE_ROLE,
            Target.MANAGED: PolicyKind.MANAGED,
            Target.PERMISSION_SET_INLINE: PolicyKind.PERMISSION_SET_INLINE,
        }[self]

    @property
    def limit(self) -> int:
        return QUOTAS[self.kind][0]


@dataclass(frozen=True, slots=True)
class ActionEvidence:
    """Why an action is in the policy: the calls seen, by whom, when."""

    action: str
    resources: tuple[str, ...]
    calls: int
    first_seen: datetime
    last_seen: datetime
    who: tuple[str, ...]
    """Session names (for Identity Center the people), else the principals."""
    resource_reason: str = ""
    """Why the resources are not the ones the events named ("*", or the ones granted today)."""


@dataclass(frozen=True, slots=True)
class GeneratedStatement:
    sid: str
    actions: tuple[str, ...]
    """As written: action names, or closed wildcards when the policy had to shrink."""
    resources: tuple[str, ...]
    evidence: tuple[ActionEvidence, ...]

    @property
    def resource_reason(self) -> str:
        """Why the resources are not the ones the events named, for the actions where they are not."""
        return "; ".join(sorted({e.resource_reason for e in self.evidence if e.resource_reason}))

    @property
    def calls(self) -> int:
        return sum(e.calls for e in self.evidence)

    @property
    def last_used(self) -> datetime:
        return max(e.last_seen for e in self.evidence)


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A used action (on a resource) the generated policy does not grant, and why."""

    action: str
    resource: str
    reason: str
    calls: int
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class GeneratedPolicy:
    subject: str
    target: Target
    statements: tuple[GeneratedStatement, ...]
    left_out: tuple[LeftOut, ...]
    text: str
    """The policy as compact JSON."""
    size: int
    grouped: bool
    """Closed wildcards were needed to fit the size limit."""
    levels: tuple[LevelChange, ...]
    problems: tuple[str, ...]
    """Validator issues and analysis findings above low, and a size over the limit: empty when sound."""

    @property
    def document(self) -> dict[str, object]:
        loaded: dict[str, object] = json.loads(self.text)
        return loaded

    @property
    def empty(self) -> bool:
        return not self.statements

    @property
    def fits(self) -> bool:
        return self.size <= self.target.limit


def generate_policy(
    subject: str,
    lines: Iterable[UsageLine],
    catalog: ActionCatalog,
    today: Sequence[Policy],
    target: Target,
    review: PolicyReview,
) -> GeneratedPolicy:
    """The policy `lines` (the activity of `subject`) call for, never granting what `today` does not.

    Each used (action, resource) is asked of today's policies through the policy engine; kept lines become
    statements grouped by resources, with the evidence of each action. When the document is over the
    target's size limit, actions are written as closed wildcards (see closed_wildcards).
    """
    granted = GrantedToday(today)
    kept: dict[str, dict[str, list[UsageLine]]] = {}
    reasons: dict[str, str] = {}
    left: dict[tuple[str, str, str], LeftOut] = {}
    answers: dict[tuple[str, str, str], GrantAnswer] = {}
    for line in lines:
        if line.denied or catalog.action(line.action) is None:
            continue
        action = catalog.action(line.action)
        assert action is not None
        resource = ANY if action.wildcard_only else line.resource
        key = (action.name, resource, line.principal)
        answer = answers.get(key)
        if answer is None:
            answer = answers[key] = granted.answer(action.name, resource, line.principal)
        if not answer.resources:
            _leave_out(left, line, action.name, resource, answer.reason)
            continue
        for kept_resource in answer.resources:
            kept.setdefault(action.name, {}).setdefault(kept_resource, []).append(line)
        reason = answer.reason or _star_reason(resource, action.wildcard_only)
        if reason:
            reasons[action.name] = reason
    statements = _statements(kept, reasons)
    grouped = False
    text = _render(statements)
    if policy_size(text, target.kind) > target.limit:
        statements = tuple(_wildcarded(s, catalog) for s in statements)
        text, grouped = _render(statements), True
    before = 0
    for policy in today:
        before |= review.allowed(policy)
    parsed = parse_policy_document(json.loads(text), source=subject, kind=target.kind)
    after = review.allowed(parsed.policy) if parsed.policy is not None and statements else 0
    return GeneratedPolicy(
        subject=subject,
        target=target,
        statements=statements,
        left_out=tuple(sorted(left.values(), key=lambda o: (o.action, o.resource))),
        text=text,
        size=policy_size(text, target.kind),
        grouped=grouped,
        levels=level_changes(before, after, catalog),
        problems=review.problems(parsed) if statements else (),
    )


def _star_reason(resource: str, wildcard_only: bool) -> str:
    if resource != ANY:
        return ""
    if wildcard_only:
        return "the action takes no resource (the catalogue lists none), so only * grants it"
    return "the events do not name the resource"


def _leave_out(
    left: dict[tuple[str, str, str], LeftOut], line: UsageLine, action: str, resource: str, reason: str
) -> None:
    key = (action, resource, reason)
    known = left.get(key)
    if known is None:
        left[key] = LeftOut(action, resource, reason, line.calls, line.last_seen)
    else:
        left[key] = LeftOut(
            action, resource, reason, known.calls + line.calls, max(known.last_seen, line.last_seen)
        )


def _statements(
    kept: dict[str, dict[str, list[UsageLine]]], reasons: dict[str, str]
) -> tuple[GeneratedStatement, ...]:
    """One statement per set of resources, actions sorted, statements in a stable order."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for action, by_resource in kept.items():
        resources = (ANY,) if ANY in by_resource else tuple(sorted(by_resource))
        groups.setdefault(resources, []).append(action)
    statements = []
    used_sids: set[str] = set()
    for resources, actions in sorted(groups.items(), key=lambda g: (sorted(g[1])[0], g[0])):
        actions.sort(key=str.lower)
        evidence = tuple(_evidence(a, kept[a], reasons.get(a, "")) for a in actions)
        statements.append(GeneratedStatement(_sid(actions, used_sids), tuple(actions), resources, evidence))
    return tuple(statements)


def _evidence(action: str, by_resource: dict[str, list[UsageLine]], reason: str) -> ActionEvidence:
    lines = [line for group in by_resource.values() for line in group]
    sessions = {line.session for line in lines if line.session}
    return ActionEvidence(
        action=action,
        resources=tuple(sorted(by_resource)),
        calls=sum(line.calls for line in lines),
        first_seen=min(line.first_seen for line in lines),
        last_seen=max(line.last_seen for line in lines),
        who=tuple(sorted(sessions or {line.principal for line in lines})),
        resource_reason=reason,
    )


def _sid(actions: list[str], used: set[str]) -> str:
    services = sorted({a.split(":", 1)[0] for a in actions})
    base = "Used" + "".join(s.title().replace("-", "") for s in services[:3])
    base = "".join(c for c in base if c.isalnum())[:60]
    sid, n = base, 1
    while sid in used:
        n += 1
        sid = f"{base}{n}"
    used.add(sid)
    return sid


def _wildcarded(statement: GeneratedStatement, catalog: ActionCatalog) -> GeneratedStatement:
    return GeneratedStatement(
        statement.sid,
        closed_wildcards(statement.actions, catalog),
        statement.resources,
        statement.evidence,
    )


def _render(statements: Sequence[GeneratedStatement]) -> str:
    document = {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": s.sid,
                "Effect": "Allow",
                "Action": list(s.actions),
                "Resource": s.resources[0] if len(s.resources) == 1 else list(s.resources),
            }
            for s in statements
        ],
    }
    return json.dumps(document, separators=(",", ":"))
