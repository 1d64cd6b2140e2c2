"""How much of a corpus the mapping understands: the share of distinct (eventSource, eventName) pairs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sojourn.catalog.catalog import ActionCatalog
from sojourn.usage.event import EventCall
from sojourn.usage.permission import Need, permission_for
from sojourn.usage.rules import EventRules


@dataclass(frozen=True, slots=True)
class Coverage:
    pairs: int
    """Distinct (eventSource, eventName) pairs that are API calls."""
    mapped: int
    """Pairs that map to a catalogue action."""
    permissionless: int
    unmapped: tuple[tuple[str, str], ...]

    @property
    def share_mapped(self) -> float:
        return self.mapped / self.pairs if self.pairs else 1.0

    @property
    def share_understood(self) -> float:
        """Mapped or known to need no permission."""
        return (self.mapped + self.permissionless) / self.pairs if self.pairs else 1.0


def mapping_coverage(calls: Iterable[EventCall], catalog: ActionCatalog, rules: EventRules) -> Coverage:
    needs: dict[tuple[str, str], Need] = {}
    for call in calls:
        if call.pair not in needs:
            needs[call.pair] = permission_for(call, catalog, rules).need
    counted = {pair: need for pair, need in needs.items() if need is not Need.NOT_A_CALL}
    return Coverage(
        pairs=len(counted),
        mapped=sum(need is Need.ACTION for need in counted.values()),
        permissionless=sum(need is Need.PERMISSIONLESS for need in counted.values()),
        unmapped=tuple(sorted(p for p, need in counted.items() if need is Need.UNKNOWN)),
    )
