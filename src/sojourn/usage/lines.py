"""Event groups (the aggregation's rows) to usage lines: who used which action on which resource, when."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sojourn.catalog.catalog import ActionCatalog
from sojourn.usage.caller import Caller, Identity, caller_of
from sojourn.usage.event import EventCall
from sojourn.usage.permission import Need, Permission, permission_for
from sojourn.usage.rules import EventRules


@dataclass(frozen=True, slots=True)
class EventGroup:
    """Calls alike in caller, event, outcome and named resources, with when and how often."""

    identity: Identity
    call: EventCall
    first_seen: datetime
    last_seen: datetime
    calls: int


UsageKey = tuple[str, str, str, str, bool]


@dataclass(frozen=True, slots=True)
class UsageLine:
    """`principal` used (or, when `denied`, wanted) `action` on `resource` `calls` times; `session` is the
    session name ("" for long-term credentials), for Identity Center the person."""

    principal: str
    session: str
    action: str
    resource: str
    denied: bool
    first_seen: datetime
    last_seen: datetime
    calls: int

    @property
    def key(self) -> UsageKey:
        return (self.principal, self.session, self.action, self.resource, self.denied)

    def merged(self, other: UsageLine) -> UsageLine:
        return replace(
            self,
            first_seen=min(self.first_seen, other.first_seen),
            last_seen=max(self.last_seen, other.last_seen),
            calls=self.calls + other.calls,
        )


@dataclass(frozen=True, slots=True)
class UsageBatch:
    lines: tuple[UsageLine, ...]
    events: int = 0
    used: int = 0
    """Events whose caller is an IAM principal and whose action(s) the catalogue knows."""
    permissionless: int = 0
    not_calls: int = 0
    by_services: int = 0
    unmapped: Mapping[tuple[str, str], int] = field(default_factory=dict)


def event_time(text: str) -> datetime:
    """CloudTrail's eventTime ("2017-12-11T15:01:51Z") as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def usage_lines(groups: Iterable[EventGroup], catalog: ActionCatalog, rules: EventRules) -> UsageBatch:
    """Map each group's event to its permissions and merge the lines that fall together."""
    lines: dict[UsageKey, UsageLine] = {}
    counts: Counter[str] = Counter()
    unmapped: Counter[tuple[str, str]] = Counter()
    permissions: dict[EventCall, Permission] = {}
    callers: dict[Identity, Caller] = {}
    for group in groups:
        counts["events"] += group.calls
        permission = permissions.get(group.call)
        if permission is None:
            permission = permissions[group.call] = permission_for(group.call, catalog, rules)
        if permission.need is Need.NOT_A_CALL:
            counts["not_calls"] += group.calls
            continue
        if permission.need is Need.PERMISSIONLESS:
            counts["permissionless"] += group.calls
            continue
        if permission.need is Need.UNKNOWN:
            unmapped[group.call.pair] += group.calls
            continue
        caller = callers.get(group.identity)
        if caller is None:
            caller = callers[group.identity] = caller_of(group.identity)
        if not caller.right_sizable:
            counts["by_services"] += group.calls
            continue
        counts["used"] += group.calls
        for use in permission.uses:
            line = UsageLine(
                caller.principal,
                caller.session or "",
                use.action,
                use.resource,
                permission.denied,
                group.first_seen,
                group.last_seen,
                group.calls,
            )
            known = lines.get(line.key)
            lines[line.key] = line if known is None else known.merged(line)
    return UsageBatch(
        tuple(lines.values()),
        events=counts["events"],
        used=counts["used"],
        permissionless=counts["permissionless"],
        not_calls=counts["not_calls"],
        by_services=counts["by_services"],
        unmapped=dict(unmapped),
    )
