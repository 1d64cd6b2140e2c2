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


ITEM_COLUMNS = ("campaign_id", "item_id", "account_id", "permission_set", "principal_type", "principal",
                "source", "reviewer", "why", "account_name")  # fmt: skip
"""The columns of review_items a new campaign writes, in the order of `ItemRows.values`."""


class ItemRows:
    """A campaign's items as rows of review_items; each distinct `why` is written as JSON once (the items of
    a campaign share a few rules each)."""

    def __init__(self, campaign_id: str) -> None:
        self.campaign_id = campaign_id
        self._why_json: dict[tuple[str, ...], str] = {}

    def values(self, item: ReviewItem) -> tuple[str | None, ...]:
        """The row in ITEM_COLUMNS order."""
        a = item.assignment
        why = self._why_json.get(item.why)
        if why is None:
            why = self._why_json[item.why] = json.dumps(list(item.why))
        return (
            self.campaign_id, item.item_id, a.account_id, a.permission_set, a.principal_type.value,
            a.principal, item.source.value, item.reviewer, why, item.account_name,
        )  # fmt: skip

    def row(self, item: ReviewItem) -> dict[str, Any]:
        return dict(zip(ITEM_COLUMNS, self.values(item), strict=True))


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
