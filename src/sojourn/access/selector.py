"""Account selectors: which accounts of the organisation a rule or a team means."""

from __future__ import annotations

from fnmatch import fnmatchcase

from sojourn.access.config import Selector
from sojourn.access.organization import Organization


class AccountIndex:
    """The organisation prepared for selector evaluation by set algebra, with every pattern cached.

    Within a selector the kinds of criterion (ids, names, OUs, tags, own) must all hold; within one kind
    any listed value may match; `exclude` subtracts.
    """

    def __init__(self, organization: Organization) -> None:
        self.accounts = tuple(a for a in organization.accounts if a.status == "ACTIVE")
        self.ids = frozenset(a.id for a in self.accounts)
        self.names = frozenset(a.name for a in self.accounts)
        self._name_to_id = {a.name: a.id for a in self.accounts}
        self._patterns: dict[tuple[str, str], frozenset[str]] = {}
        self._cache: dict[tuple[Selector, frozenset[str] | None], frozenset[str]] = {}

    def select(self, selector: Selector, own: frozenset[str] | None = None) -> frozenset[str]:
        """Account ids the selector matches; `own` is the team's own accounts when `own: true` is used."""
        key = (selector, own if _uses_own(selector) else None)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._evaluate(selector, own or frozenset())
            self._cache[key] = cached
        return cached

    def _evaluate(self, selector: Selector, own: frozenset[str]) -> frozenset[str]:
        has_criterion = bool(selector.ids or selector.names or selector.ous or selector.tags or selector.own)
        if not (selector.all or has_criterion):
            return frozenset()
        chosen = set(self.ids)
        if selector.ids:
            chosen &= set(selector.ids)
        if selector.names:
            chosen &= set().union(*(self._by_name(p) for p in selector.names))
        if selector.ous:
            chosen &= set().union(*(self._by_ou(p) for p in selector.ous))
        for key, value in selector.tags:
            chosen &= self._by_tag(key, value)
        if selector.own:
            chosen &= own
        if selector.exclude is not None:
            chosen -= self._evaluate(selector.exclude, own)
        return frozenset(chosen)

    def _by_name(self, pattern: str) -> frozenset[str]:
        if not _is_glob(pattern):
            found = self._name_to_id.get(pattern)
            return frozenset({found} if found else ())
        return self._memo(
            ("name", pattern), lambda: {a.id for a in self.accounts if fnmatchcase(a.name, pattern)}
        )

    def _by_ou(self, pattern: str) -> frozenset[str]:
        """An OU pattern matches accounts in that OU and in every OU below it."""
        path = "/" + pattern.strip("/")
        return self._memo(
            ("ou", pattern),
            lambda: {
                a.id
                for a in self.accounts
                if fnmatchcase(a.ou_path, path) or fnmatchcase(a.ou_path, path + "/*")
            },
        )

    def _by_tag(self, key: str, value: str) -> frozenset[str]:
        return self._memo(
            ("tag", f"{key}={value}"),
            lambda: {a.id for a in self.accounts if key in a.tags and fnmatchcase(a.tags[key], value)},
        )

    def _memo(self, key: tuple[str, str], compute: object) -> frozenset[str]:
        found = self._patterns.get(key)
        if found is None:
            assert callable(compute)
            found = frozenset(compute())
            self._patterns[key] = found
        return found

    def unknown_references(self, selector: Selector) -> list[str]:
        """Literal ids and names the selector names that this organisation does not have."""
        problems = [f"unknown account id {i!r}" for i in selector.ids if i not in self.ids]
        problems += [
            f"unknown account name {n!r}" for n in selector.names if not _is_glob(n) and n not in self.names
        ]
        if selector.exclude is not None:
            problems += self.unknown_references(selector.exclude)
        return problems


def _uses_own(selector: Selector) -> bool:
    return selector.own or (selector.exclude is not None and _uses_own(selector.exclude))


def _is_glob(name: str) -> bool:
    return any(ch in name for ch in "*?[")
