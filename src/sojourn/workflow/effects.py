"""What a transition asks the outside world to do; the worker performs these, at least once, idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Provision:
    request_id: str
    person: str
    permission_set: str
    accounts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Deprovision:
    request_id: str
    person: str
    permission_set: str
    accounts: tuple[str, ...]
    revoke_sessions_before: datetime
    """Sessions issued before this instant are denied (a later grant still works)."""


@dataclass(frozen=True, slots=True)
class Notify:
    kind: str
    request_id: str
    to: tuple[str, ...] = ()
    """People to tell besides the channels (e.g. approvers who did not act)."""


@dataclass(frozen=True, slots=True)
class Audit:
    action: str
    actor: str
    reason: str


Effect = Provision | Deprovision | Notify | Audit
