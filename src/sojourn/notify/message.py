"""What a notification says: the event and the request it is about, as text and as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sojourn.workflow.codec import request_to_json
from sojourn.workflow.grant_request import GrantRequest

HEADLINES = {
    "request": "{person} asks for {ps} on {accounts} for {duration}",
    "approved": "{person}'s request for {ps} on {accounts} was approved",
    "denied": "{person}'s request for {ps} on {accounts} was denied",
    "granted": "{person} now holds {ps} on {accounts} until {ends}",
    "revoked": "{person}'s {ps} on {accounts} was revoked",
    "expired": "{person}'s {ps} on {accounts} has ended",
    "extended": "{person}'s {ps} on {accounts} was extended until {ends}",
    "break_glass": "BREAK-GLASS: {person} took {ps} on {accounts} for {duration} without approval; review it",
    "failure": "FAILED: {person}'s {ps} on {accounts}: {why}",
    "other_approver_acted": "another approver already answered {person}'s request for {ps}",
    "cancelled": "{person} cancelled the request for {ps} on {accounts}",
}


@dataclass(frozen=True, slots=True)
class Message:
    kind: str
    request: GrantRequest
    to: tuple[str, ...] = ()

    def text(self) -> str:
        r = self.request
        template = HEADLINES.get(self.kind, "{person}: {ps} on {accounts}: " + self.kind)
        ends = r.ends_at.strftime("%Y-%m-%d %H:%M UTC") if r.ends_at else "its end"
        return template.format(
            person=r.person,
            ps=r.permission_set,
            accounts=", ".join(r.accounts),
            duration=r.duration,
            ends=ends,
            why=r.close_reason or "see the audit log",
        )

    def document(self) -> dict[str, Any]:
        return {
            "event": self.kind,
            "to": list(self.to),
            "text": self.text(),
            "request": request_to_json(self.request),
        }
