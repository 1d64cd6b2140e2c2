"""Review values to and from the rows of the review tables (shared by the store and its twin's checks)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sojourn.access.review import ReviewItem, ReviewScope, Source
from sojourn.access.state import Assignment, PrincipalType


def aware(value: datetime) -> datetime:
    """SQLite hands back naive times; they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def scope_json(scope: ReviewScope) -> str:
    return json.dumps(
        {"accounts": scope.accounts, "permission_sets": scope.permission_sets, "teams": scope.teams},
        sort_keys=True,
    )


def scope_from_json(text: str) -> ReviewScope:
    data = json.loads(text)
    return ReviewScope(tuple(data["accounts"]), tuple(data["permission_sets"]), tuple(data["teams"]))


def item_row(campaign_id: str, item: ReviewItem) -> dict[str, Any]:
    a = item.assignment
    return {
        "campaign_id": campaign_id,
        "item_id": item.item_id,
        "account_id": a.account_id,
        "permission_set": a.permission_set,
        "principal_type": a.principal_type.value,
        "principal": a.principal,
        "source": item.source.value,
        "reviewer": item.reviewer,
        "why": json.dumps(list(item.why)),
        "account_name": item.account_name,
    }


def item_from_row(row: Any) -> ReviewItem:
    assignment = Assignment(
        row.account_id, row.permission_set, PrincipalType(row.principal_type), row.principal
    )
    return ReviewItem(
        row.item_id,
        assignment,
        Source(row.source),
        row.reviewer,
        tuple(json.loads(row.why)),
        row.account_name,
    )
