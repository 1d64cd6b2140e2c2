"""Policies compiled for evaluation: patterns pre-built, statements indexed by service prefix."""

from __future__ import annotations

from dataclasses import dataclass, field

from sojourn.policy.model import Condition, Effect, Policy, PolicyKind, Principal
from sojourn.policy.operators import evaluate_operator
from sojourn.policy.pattern_relations import resource_covers, resource_overlaps
from sojourn.policy.variables import substitute
from sojourn.policy.wildcards import action_matches, arn_matches

PRINCIPAL_OPTIONAL = frozenset({PolicyKind.ENDPOINT, PolicyKind.RCP})
PATTERN_OPERATORS = frozenset(
    {"StringLike", "StringNotLike", "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike"}
)


@dataclass(slots=True)
class Request:
    """A request prepared for matching: lower-case action and context keys, discovery settings."""

    action: str
    resource: str
    context: dict[str, tuple[str, ...]]
    unknown_keys: frozenset[str] | None = None
    any_missing_unknown: bool = False
    avoid_denies: bool = False
    resource_pattern: bool = False
    """The resource is a pattern: does the statement apply to some (Allow) or every (Deny) resource of it?"""
    ignored: list[str] = field(default_factory=list)

    def ignored_tuple(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.ignored))

    def is_unknown(self, key: str) -> bool:
        if self.unknown_keys is None:
            return False
        return key in self.unknown_keys or (self.any_missing_unknown and key not in self.context)


class ActionPatterns:
    """Action patterns of one statement and service: plain names in a set, wildcard patterns matched one
    by one (a statement's candidates are cached per action, so each pair is matched once)."""

    __slots__ = ("exact", "wild")

    def __init__(self, patterns: list[str]) -> None:
        plain = [p.isascii() and not any(ch in p for ch in "*?") for p in patterns]
        self.exact = frozenset(p.lower() for p, is_plain in zip(patterns, plain, strict=True) if is_plain)
        self.wild = tuple(p for p, is_plain in zip(patterns, plain, strict=True) if not is_plain)

    def matches(self, action: str) -> bool:
        if action.lower() in self.exact:
            return True
        return any(action_matches(pattern, action) for pattern in self.wild)


@dataclass(frozen=True, slots=True)
class CompiledStatement:
    """One statement ready for matching: action regexes per service, resources, principals, conditions."""

    index: int
    sid: str | None
    effect: Effect
    action_index: dict[str, ActionPatterns]
    """Service prefix -> the statement's patterns of that service."""
    any_service: ActionPatterns | None
    """Patterns whose service part is itself a wildcard ("*", "s*:Get*")."""
    negate_actions: bool
    resources: tuple[str, ...] | None
    negate_resources: bool
    principals: tuple[Principal, ...] | None
    not_principals: tuple[Principal, ...] | None
    conditions: tuple[Condition, ...]
    principal_optional: bool
    variables: bool

    def matches_action(self, action: str) -> bool:
        patterns = self.action_index.get(action.split(":", 1)[0])
        hit = (patterns is not None and patterns.matches(action)) or (
            self.any_service is not None and self.any_service.matches(action)
        )
        return hit != self.negate_actions

    def applies(self, request: Request) -> bool:
        """Resource and conditions match; the action was matched when the statement was chosen."""
        return self.matches_resource(request) and all(
            self._condition(condition, request) for condition in self.conditions
        )

    def matches_resource(self, request: Request) -> bool:
        """The statement's Resource or NotResource takes the request's resource."""
        if self.resources is None:
            return True
        if request.resource_pattern:
            return self._applies_to_pattern(request)
        return any(self._resource_hit(p, request) for p in self.resources) != self.negate_resources

    def unmet(self, request: Request) -> tuple[Condition, ...]:
        """The conditions the request does not meet."""
        return tuple(c for c in self.conditions if not self._condition(c, request))

    def _resource_hit(self, pattern: str, request: Request) -> bool:
        expanded = self._expanded(pattern, request)
        return expanded is not None and arn_matches(request.resource, expanded)

    def _expanded(self, pattern: str, request: Request) -> str | None:
        return substitute(pattern, request.context, pattern=True) if self.variables else pattern

    def _applies_to_pattern(self, request: Request) -> bool:
        """Resource: an Allow needs one resource of the request's pattern, a Deny all of them; NotResource:
        an Allow needs one outside, a Deny none inside."""
        patterns = [p for p in (self._expanded(p, request) for p in self.resources or ()) if p is not None]
        some = self.effect is Effect.ALLOW
        if self.negate_resources:
            if some:
                return not any(resource_covers(p, request.resource) for p in patterns)
            return not any(resource_overlaps(p, request.resource) for p in patterns)
        relation = resource_overlaps if some else resource_covers
        return any(relation(p, request.resource) for p in patterns)

    def _condition(self, condition: Condition, request: Request) -> bool:
        key = condition.key.lower()
        if request.is_unknown(key):
            written = f"{condition.operator} {condition.key} {list(condition.values)}"
            if self.effect is Effect.DENY and request.avoid_denies:
                request.ignored.append(f"not ({written}), or a Deny applies")
                return False
            request.ignored.append(written)
            return True
        values = condition.values
        if self.variables and condition.base.startswith(("String", "Arn")):
            as_pattern = condition.base in PATTERN_OPERATORS
            expanded = (substitute(v, request.context, pattern=as_pattern) for v in values)
            values = tuple(v for v in expanded if v is not None)
        return evaluate_operator(
            condition.base, condition.qualifier, condition.if_exists, request.context.get(key), values
        )


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    """A policy's statements indexed by service prefix, with a per-action cache of the candidates."""

    source: str
    by_service: dict[str, tuple[CompiledStatement, ...]]
    everywhere: tuple[CompiledStatement, ...]
    """Statements with a wildcard service or NotAction: candidates for every action."""
    _matching: dict[str, tuple[CompiledStatement, ...]] = field(default_factory=dict)

    def candidates(self, action: str) -> tuple[CompiledStatement, ...]:
        """The statements whose Action or NotAction matches this (lower-case) action; cached per action."""
        found = self._matching.get(action)
        if found is not None:
            return found
        service = action.split(":", 1)[0]
        pool = self.by_service.get(service, ()) + self.everywhere
        found = tuple(sorted((s for s in pool if s.matches_action(action)), key=lambda s: s.index))
        if len(self._matching) > 50_000:
            self._matching.clear()
        self._matching[action] = found
        return found


_CACHE: dict[int, tuple[Policy, CompiledPolicy]] = {}


def compile_policy(policy: Policy) -> CompiledPolicy:
    """Compile once per Policy object (cached by identity), so shared policies are compiled once."""
    cached = _CACHE.get(id(policy))
    if cached is not None and cached[0] is policy:
        return cached[1]
    compiled = _compile(policy)
    if len(_CACHE) > 10_000:
        _CACHE.clear()
    _CACHE[id(policy)] = (policy, compiled)
    return compiled


def _action_index(patterns: tuple[str, ...]) -> tuple[dict[str, ActionPatterns], ActionPatterns | None]:
    grouped: dict[str, list[str]] = {}
    for pattern in patterns:
        if ":" not in pattern and pattern != "*":
            continue  # AWS refuses such an action ("iam*"); it matches no action, as in the catalogue
        service = pattern.split(":", 1)[0].lower() if ":" in pattern else "*"
        key = "*" if any(ch in service for ch in "*?") else service
        grouped.setdefault(key, []).append(pattern)
    combined = {service: ActionPatterns(parts) for service, parts in grouped.items()}
    return {k: v for k, v in combined.items() if k != "*"}, combined.get("*")


def _compile(policy: Policy) -> CompiledPolicy:
    by_service: dict[str, list[CompiledStatement]] = {}
    everywhere: list[CompiledStatement] = []
    variables_allowed = policy.version == "2012-10-17"
    for s in policy.statements:
        patterns = s.actions if s.actions is not None else (s.not_actions or ())
        uses_variables = variables_allowed and any(
            "${" in text
            for text in (
                *(s.resources or ()),
                *(s.not_resources or ()),
                *(v for c in s.conditions for v in c.values),
            )
        )
        action_index, any_service = _action_index(patterns)
        compiled = CompiledStatement(
            index=s.index,
            sid=s.sid,
            effect=s.effect,
            action_index=action_index,
            any_service=any_service,
            negate_actions=s.actions is None,
            resources=s.resources if s.resources is not None else s.not_resources,
            negate_resources=s.resources is None and s.not_resources is not None,
            principals=s.principals,
            not_principals=s.not_principals,
            conditions=s.conditions,
            principal_optional=policy.kind in PRINCIPAL_OPTIONAL,
            variables=uses_variables,
        )
        services = {p.split(":", 1)[0].lower() if ":" in p else "*" for p in patterns}
        if s.actions is None or any(any(ch in service for ch in "*?") for service in services):
            everywhere.append(compiled)
            continue
        for service in services:
            by_service.setdefault(service, []).append(compiled)
    return CompiledPolicy(policy.source, {k: tuple(v) for k, v in by_service.items()}, tuple(everywhere))
