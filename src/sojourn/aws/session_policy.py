"""Ending live sessions: removing an assignment does not end the role sessions already issued.

The technique AWS documents: a Deny in the permission set's inline policy for the person's
identitystore:UserId, here also limited to sessions issued before the revocation time
(aws:TokenIssueTime), so that a later grant still works. One statement per person (the latest time wins);
a statement is pruned once no session issued before its time can still be alive (time + the permission
set's session duration).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

PREFIX = "SojournRevokedSessions"


def is_sojourn_statement(statement: Mapping[str, Any]) -> bool:
    return str(statement.get("Sid", "")).startswith(PREFIX)


def _statements(document: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    if not document:
        return []
    found = document.get("Statement", [])
    return [dict(s) for s in (found if isinstance(found, list) else [found])]


def split(document: Mapping[str, Any] | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the configuration's statements, Sojourn's session-revocation statements)."""
    statements = _statements(document)
    return [s for s in statements if not is_sojourn_statement(s)], [
        s for s in statements if is_sojourn_statement(s)
    ]


def without_revocations(document: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The inline policy as the configuration wrote it (what plans compare)."""
    own, _ = split(document)
    return {"Version": "2012-10-17", "Statement": own} if own else None


def _time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def revocation_statement(user_id: str, before: datetime) -> dict[str, Any]:
    digest = hashlib.sha256(user_id.encode()).hexdigest()[:16]
    return {
        "Sid": f"{PREFIX}{digest}",
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {
            "StringEquals": {"identitystore:UserId": user_id},
            "DateLessThan": {"aws:TokenIssueTime": _time(before)},
        },
    }


def _issued_before(statement: Mapping[str, Any]) -> datetime:
    text = statement["Condition"]["DateLessThan"]["aws:TokenIssueTime"]
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def merged(
    document: Mapping[str, Any] | None,
    user_id: str | None,
    before: datetime | None,
    now: datetime,
    session_duration: timedelta,
) -> dict[str, Any] | None:
    """The inline policy with the person's revocation added (latest time wins) and stale ones pruned."""
    own, revocations = split(document)
    by_sid = {s["Sid"]: s for s in revocations if _issued_before(s) + session_duration > now}
    if user_id is not None and before is not None:
        fresh = revocation_statement(user_id, before)
        current = by_sid.get(fresh["Sid"])
        if current is None or _issued_before(current) < before:
            by_sid[fresh["Sid"]] = fresh
    statements = own + [by_sid[sid] for sid in sorted(by_sid)]
    return {"Version": "2012-10-17", "Statement": statements} if statements else None


def as_text(document: Mapping[str, Any] | None) -> str | None:
    return json.dumps(document, separators=(",", ":")) if document else None
