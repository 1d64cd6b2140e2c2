"""Account selectors: which accounts of the organisation a rule or a team means."""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase

from sojourn.access.config import Selector
from sojourn.access.organization import Account, Organization


class AccountIndex:
    """The organisation prepared for fast, cached selector evaluation."""

    def __init__(self, organization: Organization) -> None:
        self.accounts = tuple(a for a in organization.accounts if a.status == "ACTIVE")
        self.ids = frozenset(a.id for a in self.accounts)
        self.names = frozenset(a.name for a in self.accounts)
        self._cache: dict[tuple[Selector, frozenset[str] | None], frozenset[str]] = {}

    def select(self, selector: Selector, own: frozenset[str] | None = None) -> frozenset[str]:
        """Account ids the selector matches; `own` is the team's own accounts when `own: true` is used."""
        key = (selector, own if _uses_own(selector) else None)
        cached = self._cache.get(key)
        if cached is None:
            cached = frozenset(a.id for a in self.accounts if _matches(selector, a, own or frozenset()))
            self._cache[key] = cached
        return cached

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


def _matches(selector: Selector, account: Account, own: frozenset[str]) -> bool:
    has_criterion = bool(selector.ids or selector.names or selector.ous or selector.tags or selector.own)
    if not (selector.all or has_criterion):
        return False
    if selector.ids and account.id not in selector.ids:
        return False
    if selector.names and not any(fnmatchcase(account.name, pattern) for pattern in selector.names):
        return False
    if selector.ous and not any(_in_ou(account.ou_path, pattern) for pattern in selector.ous):
        return False
    if selector.tags and not _tags_match(account.tags, selector.tags):
        return False
    if selector.own and account.id not in own:
        return False
    return not (selector.exclude is not None and _matches(selector.exclude, account, own))


def _in_ou(path: str, pattern: str) -> bool:
    """An OU pattern matches accounts in that OU and in every OU below it."""
    pattern = "/" + pattern.strip("/")
    return fnmatchcase(path, pattern) or fnmatchcase(path, pattern + "/*")


def _tags_match(tags: Mapping[str, str], wanted: tuple[tuple[str, str], ...]) -> bool:
    return all(tags.get(key) is not None and fnmatchcase(tags[key], value) for key, value in wanted)


def _is_glob(name: str) -> bool:
    return any(ch in name for ch in "*?[")
