"""A request's history as the detail page lists it: asked, each decision, started, ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sojourn.workflow.grant_request import GrantRequest, State


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    what: str
    who: str
    note: str = ""


def history(r: GrantRequest) -> list[Event]:
    events = [Event(r.requested_at, "requested", r.person, r.reason)]
    events += [Event(d.at, "approved" if d.approve else "denied", d.approver, d.comment) for d in r.decisions]
    if r.starts_at is not None:
        events.append(Event(r.starts_at, "access granted in AWS", "sojourn"))
    if r.closed_at is not None:
        events.append(Event(r.closed_at, r.state.value, r.closed_by or "sojourn", r.close_reason or ""))
    if r.revoked_in_aws_at is not None:
        events.append(Event(r.revoked_in_aws_at, "access removed from AWS", "sojourn"))
    elif r.state is State.ACTIVE and r.ends_at is not None:
        events.append(Event(r.ends_at, "ends", "sojourn"))
    return sorted(events, key=lambda e: e.at)
