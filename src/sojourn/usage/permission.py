"""Event to permission: the IAM action(s) a CloudTrail call needed and the resources it named."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from sojourn.catalog.catalog import ActionCatalog
from sojourn.usage.event import EventCall
from sojourn.usage.resources import resource_of
from sojourn.usage.rules import EventRules


class Need(StrEnum):
    ACTION = "action"
    """The call needed the catalogue action(s) listed."""
    PERMISSIONLESS = "permissionless"
    """No identity policy decides the call (sts:GetCallerIdentity, console and portal sign-in)."""
    NOT_A_CALL = "not-a-call"
    """A service event, an Insight or a VPC endpoint event: nobody's permission was used."""
    UNKNOWN = "unknown"
    """No catalogue action matches: a gap in the rules (counted by the coverage)."""


@dataclass(frozen=True, slots=True)
class ActionUse:
    action: str
    """Canonical catalogue name, e.g. "s3:ListBucket"."""
    resource: str
    """The ARN the call acted on, "arn:aws:s3:::b/*" for any object of a bucket, or "*" when unnamed."""


@dataclass(frozen=True, slots=True)
class Permission:
    need: Need
    uses: tuple[ActionUse, ...] = ()
    denied: bool = False
    """The call was refused for lack of permission: the actions were wanted, not used."""
    data_event: bool = False
    why: str = ""

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(use.action for use in self.uses)


def service_prefix(source: str, rules: EventRules) -> str:
    """eventSource to the IAM service prefix: ec2.amazonaws.com -> ec2, monitoring... -> cloudwatch."""
    known = rules.source_prefixes.get(source)
    if known is not None:
        return known
    return source.removesuffix(".amazonaws.com")


def permission_for(call: EventCall, catalog: ActionCatalog, rules: EventRules) -> Permission:
    """What `call` needed: the rules' exceptions first, then "<prefix>:<eventName>" in the catalogue."""
    denied = call.error_code in rules.denied_error_codes
    data = call.category == "Data" if call.category else call.pair in rules.data_events
    if call.event_type in rules.not_api_calls or call.category == "Insight":
        return Permission(
            Need.NOT_A_CALL, why=f"{call.event_type or call.category} is not a caller's API call"
        )
    if call.pair in rules.permissionless:
        return Permission(
            Need.PERMISSIONLESS, denied=denied, data_event=data, why="no identity policy decides it"
        )
    actions = _actions(call, catalog, rules)
    if not actions:
        prefix = service_prefix(call.source, rules)
        return Permission(Need.UNKNOWN, denied=denied, data_event=data, why=f"no action {prefix}:{call.name}")
    uses = tuple(ActionUse(action, resource_of(call, action, catalog, rules)) for action in actions)
    return Permission(Need.ACTION, uses, denied, data)


def _actions(call: EventCall, catalog: ActionCatalog, rules: EventRules) -> tuple[str, ...]:
    renamed = rules.renamed.get(call.pair)
    if renamed is not None:
        return tuple(_canonical(a, catalog) for a in renamed if catalog.knows_action(a))
    prefix = service_prefix(call.source, rules)
    verbs = rules.http_verbs.get(call.source)
    if verbs is not None:
        return _verb_action(call.name, verbs.prefix, verbs.verbs, catalog)
    for versioned in rules.versioned:
        if versioned.source == call.source and (match := versioned.pattern.match(call.name)):
            return _named(f"{prefix}:{match.group('name')}", catalog)
    return _named(f"{prefix}:{call.name}", catalog)


def _verb_action(name: str, prefix: str, verbs: Mapping[str, str], catalog: ActionCatalog) -> tuple[str, ...]:
    for head, verb in verbs.items():
        if name.startswith(head):
            return _named(f"{prefix}:{verb}", catalog)
    return ()


def _named(action: str, catalog: ActionCatalog) -> tuple[str, ...]:
    return (_canonical(action, catalog),) if catalog.knows_action(action) else ()


def _canonical(action: str, catalog: ActionCatalog) -> str:
    info = catalog.action(action)
    return info.name if info is not None else action
