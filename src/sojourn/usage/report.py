"""What a principal or a permission set used, beside what it is granted, per access level."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sojourn.catalog.catalog import ACCESS_LEVELS, ActionBits, ActionCatalog
from sojourn.usage.lines import UsageLine


@dataclass(frozen=True, slots=True)
class ActionUsage:
    """One action: on which resources, by whom (session names), when, how often."""

    action: str
    access_level: str
    resources: tuple[str, ...]
    sessions: tuple[str, ...]
    principals: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    calls: int
    granted: bool | None
    """None when what is granted is not known (managed policies not expanded offline)."""


@dataclass(frozen=True, slots=True)
class LevelSummary:
    level: str
    granted: int | None
    used: int
    unused: int | None
    """Granted and not used in the period: what right-sizing would take away."""


@dataclass(frozen=True, slots=True)
class UsageReport:
    subject: str
    used: tuple[ActionUsage, ...]
    denied: tuple[ActionUsage, ...]
    """Actions asked for and refused: wanted, not granted."""
    levels: tuple[LevelSummary, ...]
    not_expanded: tuple[str, ...] = ()
    """Policies (managed policy ARNs) whose actions are not counted in `granted`."""

    @property
    def used_not_granted(self) -> tuple[str, ...]:
        return tuple(a.action for a in self.used if a.granted is False)


def usage_report(
    subject: str,
    lines: Iterable[UsageLine],
    catalog: ActionCatalog,
    *,
    granted: ActionBits | None = None,
    not_expanded: Sequence[str] = (),
) -> UsageReport:
    """Group `lines` by action (used and denied apart); count granted, used and unused actions per level."""
    used_lines: dict[str, list[UsageLine]] = {}
    denied_lines: dict[str, list[UsageLine]] = {}
    for line in lines:
        (denied_lines if line.denied else used_lines).setdefault(line.action, []).append(line)
    used = tuple(_action(a, ls, catalog, granted) for a, ls in sorted(used_lines.items()))
    denied = tuple(_action(a, ls, catalog, granted) for a, ls in sorted(denied_lines.items()))
    used_bits = catalog.bits_of(used_lines)
    levels = tuple(_level(level, catalog, granted, used_bits) for level in ACCESS_LEVELS)
    return UsageReport(subject, used, denied, levels, tuple(not_expanded))


def _action(
    action: str, lines: list[UsageLine], catalog: ActionCatalog, granted: ActionBits | None
) -> ActionUsage:
    return ActionUsage(
        action=action,
        access_level=catalog.access_level(action) or "Unknown",
        resources=tuple(sorted({line.resource for line in lines})),
        sessions=tuple(sorted({line.session for line in lines if line.session})),
        principals=tuple(sorted({line.principal for line in lines})),
        first_seen=min(line.first_seen for line in lines),
        last_seen=max(line.last_seen for line in lines),
        calls=sum(line.calls for line in lines),
        granted=None if granted is None else bool(granted & catalog.bits_of([action])),
    )


def _level(level: str, catalog: ActionCatalog, granted: ActionBits | None, used: ActionBits) -> LevelSummary:
    in_level = catalog.level_bits(level)
    used_count = (used & in_level).bit_count()
    if granted is None:
        return LevelSummary(level, None, used_count, None)
    return LevelSummary(
        level, (granted & in_level).bit_count(), used_count, (granted & in_level & ~used).bit_count()
    )
