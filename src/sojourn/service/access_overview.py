"""What the web pages show of just-in-time access: a person's access, an approver's inbox, grants now.

Each answer is read through the same JIT use cases as the CLI and the API; the standing part compiles the
configuration once per directory read (the directory is cached for a minute).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime

from sojourn.access.compiler import CompiledAccess, compile_access
from sojourn.service.jit import Directory, JitService
from sojourn.workflow.grant_request import HOLDS_ACCESS, GrantRequest, State
from sojourn.workflow.opening import Eligibility


@dataclass(frozen=True, slots=True)
class StandingLine:
    """One standing assignment of a person and the rules (and teams) that grant it."""

    account_id: str
    account_name: str
    permission_set: str
    rules: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MyAccess:
    person: str
    standing: tuple[StandingLine, ...]
    eligible: tuple[Eligibility, ...]
    active: tuple[GrantRequest, ...]
    """Grants approved or active now, soonest end first."""
    requests: tuple[GrantRequest, ...]
    """Every request of the person, newest first."""


class AccessOverview:
    """Read models for the pages, over the JIT use cases."""

    def __init__(self, jit: JitService) -> None:
        self.jit = jit
        self._lock = threading.Lock()
        self._compiled: tuple[int, date, CompiledAccess] | None = None

    def account_names(self) -> dict[str, str]:
        return {a.id: a.name for a in self.jit.directory().organization.accounts}

    def _compile(self, found: Directory, today: date) -> CompiledAccess:
        with self._lock:
            kept = self._compiled
            if kept is not None and kept[0] == id(found) and kept[1] == today:
                return kept[2]
        compiled = compile_access(found.config, found.organization, today=today)
        with self._lock:
            self._compiled = (id(found), today, compiled)
        return compiled

    def standing(self, person: str) -> tuple[StandingLine, ...]:
        found = self.jit.directory()
        names = {a.id: a.name for a in found.organization.accounts}
        effective = self._compile(found, self.jit.clock.now().date()).effective.get(person, {})
        return tuple(
            StandingLine(account, names.get(account, account), ps, tuple(rules))
            for account, sets in sorted(effective.items(), key=lambda item: names.get(item[0], item[0]))
            for ps, rules in sorted(sets.items())
        )

    def my_access(self, person: str) -> MyAccess:
        mine = self.jit.requests(person=person)
        active = sorted((r for r in mine if r.state in HOLDS_ACCESS), key=_end)
        return MyAccess(
            person,
            self.standing(person),
            tuple(self.jit.eligible(person)),
            tuple(active),
            tuple(sorted(mine, key=lambda r: r.requested_at, reverse=True)),
        )

    def inbox(self, approver: str) -> list[GrantRequest]:
        """Pending requests `approver` is named on and has not answered, never their own; oldest first."""
        return [
            r
            for r in self.jit.requests(states=(State.PENDING,))
            if approver in r.approvers
            and r.person != approver
            and all(d.approver != approver for d in r.decisions)
        ]

    def grants_now(self) -> list[GrantRequest]:
        """Every grant approved or active now, soonest end first."""
        return sorted(self.jit.requests(states=tuple(HOLDS_ACCESS)), key=_end)


def _end(request: GrantRequest) -> datetime:
    end = request.until or request.ends_at
    if end is not None:
        return end
    return request.requested_at + request.duration


def time_left(request: GrantRequest, now: datetime) -> str:
    """Like "1h 20m left" or "ending"; "" when the grant has not started or is over."""
    if request.ends_at is None or request.state not in HOLDS_ACCESS:
        return ""
    seconds = int((request.ends_at - now).total_seconds())
    if seconds <= 0:
        return "ending"
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours}h {minutes:02d}m left" if hours else f"{minutes}m left"
