"""Shorten a list of actions with wildcards, only where the catalogue says the wildcard adds nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sojourn.catalog.catalog import ActionCatalog

_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def closed_wildcards(actions: Iterable[str], catalog: ActionCatalog) -> tuple[str, ...]:
    """The same actions, with each run that a wildcard covers exactly written as that wildcard.

    A wildcard `svc:Prefix*` replaces actions only when every catalogue action it matches is among them:
    the set is closed, so the policy grants nothing more (in the pinned catalogue). Prefixes end at word
    starts ("s3:Get*", "s3:GetObject*") so that they stay readable; the shortest closed one wins.
    """
    wanted = {a.lower(): a for a in actions}
    left = dict(wanted)
    written: list[str] = []
    for lower in sorted(wanted):
        if lower not in left:
            continue
        pattern = _shortest_closed(wanted[lower], wanted, catalog)
        if pattern is None:
            written.append(left.pop(lower))
            continue
        covered = {name.lower() for name in catalog.expand(pattern)}
        for name in covered:
            left.pop(name, None)
        written.append(pattern)
    return tuple(sorted(written, key=str.lower))


def _shortest_closed(action: str, wanted: dict[str, str], catalog: ActionCatalog) -> str | None:
    service, _, name = action.partition(":")
    starts = [m.start() for m in _WORD_START.finditer(name)]
    for cut in [0, *starts, len(name)]:
        pattern = f"{service}:{name[:cut]}*"
        matched = catalog.expand(pattern)
        if len(matched) > 1 and all(m.lower() in wanted for m in matched):
            return pattern
    return None
