"""A generated policy against today's, per access level: how many actions it removes and keeps."""

from __future__ import annotations

from dataclasses import dataclass

from sojourn.catalog.catalog import ACCESS_LEVELS, ActionBits, ActionCatalog


@dataclass(frozen=True, slots=True)
class LevelChange:
    level: str
    before: int
    after: int
    removed: int
    kept: int
    added: int
    """Actions the new policy grants that today's does not: always 0 for a generated policy."""

    def __str__(self) -> str:
        return f"removes {self.removed} {self.level} actions, keeps {self.kept}"


def level_changes(before: ActionBits, after: ActionBits, catalog: ActionCatalog) -> tuple[LevelChange, ...]:
    """One change per access level, in the catalogue's order of levels."""
    changes = []
    for level in ACCESS_LEVELS:
        bits = catalog.level_bits(level)
        changes.append(
            LevelChange(
                level,
                before=(before & bits).bit_count(),
                after=(after & bits).bit_count(),
                removed=(before & ~after & bits).bit_count(),
                kept=(before & after & bits).bit_count(),
                added=(after & ~before & bits).bit_count(),
            )
        )
    return tuple(changes)


def summary(changes: tuple[LevelChange, ...]) -> str:
    """ "removes 412 Write actions, keeps 18; ..." for the levels today's policy grants anything of."""
    return "; ".join(str(c) for c in changes if c.before or c.after) or "grants nothing today or after"
