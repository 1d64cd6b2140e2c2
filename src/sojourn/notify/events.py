"""What a notification is about, independent of any channel: one event of a just-in-time grant's life, as a
one-line summary and as the JSON document the webhook signs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

JSON_VERSION = 1
MAX_ACCOUNTS_IN_TEXT = 5


REVIEW_REMINDER = "review_reminder"
"""An access review reminder: about a campaign (`request_id`) and the reviewer (`person`), not a request."""


class NotificationKind(StrEnum):
    REQUEST = "request"
    APPROVED = "approved"
    DENIED = "denied"
    GRANTED = "granted"
    REVOKED = "revoked"
    EXPIRED = "expired"
    EXTENDED = "extended"
    BREAK_GLASS = "break_glass"
    FAILURE = "failure"
    OVERDUE = "overdue"
    OTHER_APPROVER_ACTED = "other_approver_acted"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Notification:
    """One event; `kind` is a NotificationKind value (a plain str so an unknown kind still gets delivered)."""

    kind: str
    request_id: str
    person: str
    permission_set: str
    accounts: tuple[str, ...]
    actor: str | None
    """Who caused the event (approver, revoker, requester); None when Sojourn itself did."""
    reason: str | None
    """The requester's justification."""
    at: datetime
    ends_at: datetime | None = None
    detail: Mapping[str, str] = field(default_factory=dict, hash=False)
    """Extra facts by name, e.g. "error" for a failure, "comment" for a decision, "ticket"."""
    to: tuple[str, ...] = ()
    """People to tell beyond the channels (approvers of a new request, a break-glass rule's notify list)."""
    account_names: Mapping[str, str] = field(default_factory=dict, hash=False)
    """Account id -> name, for the texts people read ("team-a-prod (111111111111)")."""


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()


def _accounts(accounts: tuple[str, ...], names: Mapping[str, str]) -> str:
    named = [f"{names[a]} ({a})" if a in names else a for a in accounts]
    if len(named) <= MAX_ACCOUNTS_IN_TEXT:
        return ", ".join(named) or "no account"
    shown = ", ".join(named[:MAX_ACCOUNTS_IN_TEXT])
    return f"{shown} and {len(named) - MAX_ACCOUNTS_IN_TEXT} more"


_TEMPLATES: dict[str, str] = {
    NotificationKind.REQUEST: "{person} requests {ps} on {accounts}{until}",
    NotificationKind.APPROVED: "{person}'s request for {ps} on {accounts} was approved{by}",
    NotificationKind.DENIED: "{person}'s request for {ps} on {accounts} was denied{by}",
    NotificationKind.GRANTED: "{person} now holds {ps} on {accounts}{until}",
    NotificationKind.REVOKED: "{person}'s {ps} on {accounts} was revoked{by}",
    NotificationKind.EXPIRED: "{person}'s {ps} on {accounts} has ended",
    NotificationKind.EXTENDED: "{person}'s {ps} on {accounts} was extended{until}{by}",
    NotificationKind.BREAK_GLASS: (
        "BREAK-GLASS: {person} took {ps} on {accounts}{until} without approval; review it"
    ),
    NotificationKind.FAILURE: "FAILED: {person}'s {ps} on {accounts}: {error}",
    NotificationKind.OVERDUE: "OVERDUE: {person}'s {ps} on {accounts} should have ended{at_end}",
    NotificationKind.OTHER_APPROVER_ACTED: (
        "{person}'s request for {ps} was already answered{by}; nothing left to do"
    ),
    NotificationKind.CANCELLED: "{person} cancelled the request for {ps} on {accounts}",
    "key_rotation_rotated": "{person}'s access key was rotated: the new key is current, the old one inactive",
    "key_rotation_old_key_deleted": "{person}'s old access key was deleted; one key is left",
    "key_rotation_failed": "FAILED: rotating {person}'s access key: {error}; the old key is kept",
    REVIEW_REMINDER: "REVIEW: {message}",
}


def render_text(n: Notification) -> str:
    """A one-line human summary (Slack text, mail subject line's sentence, the webhook's "text")."""
    template = _TEMPLATES.get(n.kind, "{kind}: {person} {ps} on {accounts}")
    line = template.format(
        kind=n.kind,
        person=n.person,
        ps=n.permission_set,
        accounts=_accounts(n.accounts, n.account_names),
        until=f" until {_time(n.ends_at)}" if n.ends_at else "",
        at_end=f" at {_time(n.ends_at)}" if n.ends_at else "",
        by=f" by {n.actor}" if n.actor else "",
        error=n.detail.get("error") or n.detail.get("close_reason") or "see the audit log",
        message=n.detail.get("message", ""),
    )
    return " ".join(line.split())  # one line, whatever the values held


def to_json(n: Notification) -> dict[str, object]:
    """The webhook document: the event, and the request it is about (the shape receivers rely on)."""
    return {
        "version": JSON_VERSION,
        "event": n.kind,
        "text": render_text(n),
        "at": n.at.isoformat(),
        "actor": n.actor,
        "to": list(n.to),
        "request": {
            "id": n.request_id,
            "person": n.person,
            "permission_set": n.permission_set,
            "accounts": list(n.accounts),
            "account_names": {a: n.account_names[a] for a in n.accounts if a in n.account_names},
            "reason": n.reason,
            "ends_at": n.ends_at.isoformat() if n.ends_at else None,
        },
        "detail": dict(n.detail),
    }
