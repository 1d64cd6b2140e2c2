"""Who held a permission set on an account between two instants, and who approved it, from the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sojourn.service.ports.audit import AuditRepository

STARTS = ("jit.grant",)
ENDS = ("jit.expire", "jit.revoke", "jit.provision-failed")


@dataclass(frozen=True, slots=True)
class Holding:
    person: str
    request: str
    start: datetime
    end: datetime | None
    """None while the grant is still held."""
    approved_by: tuple[str, ...]
    source: str


def held_between(
    audit: AuditRepository, permission_set: str, account_id: str, since: datetime, until: datetime
) -> list[Holding]:
    """Grants whose holding overlaps [since, until): from the grant record to expiry or revocation."""
    records = audit.query(permission_set=permission_set, account_id=account_id, action="jit.*", until=until)
    starts: dict[str, tuple[datetime, str, tuple[str, ...], str]] = {}
    ends: dict[str, datetime] = {}
    for record in records:
        event = record.event
        request = str(event.details.get("request", ""))
        if event.action in STARTS and event.person:
            approvers = tuple(event.details.get("approved_by") or ())
            starts[request] = (event.at, event.person, approvers, str(event.details.get("source", "")))
        elif event.action in ENDS:
            ends.setdefault(request, event.at)
    found = []
    for request, (start, person, approvers, source) in starts.items():
        end = ends.get(request)
        if start < until and (end is None or end > since):
            found.append(Holding(person, request, start, end, approvers, source))
    return sorted(found, key=lambda h: (h.start, h.person))
