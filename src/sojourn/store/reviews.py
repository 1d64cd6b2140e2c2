"""Access review campaigns in the database: campaigns, items and decisions, each write with its audit
record in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from sojourn.access.audit import AuditEvent
from sojourn.access.review import (
    Campaign,
    CampaignNotFound,
    CampaignSummary,
    Decision,
    ReviewItem,
    Status,
    Verdict,
)
from sojourn.access.review_settings import DeadlineAction
from sojourn.store.audit import append
from sojourn.store.engine import refuse_nul
from sojourn.store.review_codec import (
    ITEM_COLUMNS,
    ItemRows,
    aware,
    item_from_row,
    scope_from_json,
    scope_json,
)
from sojourn.store.tables import review_campaigns, review_decisions, review_items

BATCH = 5000


def _copy_items(connection: Connection, rows: list[tuple[str | None, ...]]) -> None:
    """PostgreSQL: the items in one COPY, inside the caller's transaction (100,000 items in about a second,
    where row-by-row inserts take tens); NUL characters refused as the engine's guard does."""
    refuse_nul(rows)
    driver = connection.connection.driver_connection
    assert driver is not None
    names = ", ".join(ITEM_COLUMNS)
    with driver.cursor() as cursor, cursor.copy(f"COPY review_items ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


class ReviewStore:
    """The review tables."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, campaign: Campaign, event: AuditEvent) -> None:
        rows = ItemRows(campaign.campaign_id)
        with self._engine.begin() as connection:
            connection.execute(
                insert(review_campaigns).values(
                    id=campaign.campaign_id,
                    name=campaign.name,
                    scope=scope_json(campaign.scope),
                    created_by=campaign.created_by,
                    created_at=campaign.created_at.astimezone(UTC),
                    deadline=campaign.deadline.astimezone(UTC),
                    deadline_action=campaign.deadline_action.value,
                    status=campaign.status.value,
                )
            )
            if connection.dialect.name == "postgresql":
                _copy_items(connection, [rows.values(item) for item in campaign.items])
            else:
                for start in range(0, len(campaign.items), BATCH):
                    batch = [rows.row(item) for item in campaign.items[start : start + BATCH]]
                    connection.execute(insert(review_items), batch)
            append(connection, event)

    def get(self, campaign_id: str) -> Campaign:
        with self._engine.connect() as connection:
            head = connection.execute(
                select(review_campaigns).where(review_campaigns.c.id == campaign_id)
            ).first()
            if head is None:
                raise CampaignNotFound(f"no review campaign {campaign_id!r}; see `sojourn review list`")
            item_rows = connection.execute(
                select(review_items)
                .where(review_items.c.campaign_id == campaign_id)
                .order_by(review_items.c.item_id)
            ).all()
            decision_rows = connection.execute(
                select(review_decisions)
                .where(review_decisions.c.campaign_id == campaign_id)
                .order_by(review_decisions.c.at, review_decisions.c.item_id)
            ).all()
        return Campaign(
            head.id,
            head.name,
            scope_from_json(head.scope),
            head.created_by,
            aware(head.created_at),
            aware(head.deadline),
            DeadlineAction(head.deadline_action),
            tuple(item_from_row(row) for row in item_rows),
            tuple(
                Decision(row.item_id, Verdict(row.verdict), row.reviewer, row.comment, aware(row.at))
                for row in decision_rows
            ),
            Status(head.status),
            None if head.closed_at is None else aware(head.closed_at),
            None if head.reminded_at is None else aware(head.reminded_at),
            tuple((row.item_id, row.changed) for row in item_rows if row.changed is not None),
        )

    def campaigns(self, status: Status | None = None) -> list[CampaignSummary]:
        items = (
            select(review_items.c.campaign_id, func.count().label("n"))
            .group_by(review_items.c.campaign_id)
            .subquery()
        )
        decided = (
            select(review_decisions.c.campaign_id, func.count().label("n"))
            .group_by(review_decisions.c.campaign_id)
            .subquery()
        )
        statement = (
            select(review_campaigns, items.c.n.label("items"), decided.c.n.label("decided"))
            .outerjoin(items, items.c.campaign_id == review_campaigns.c.id)
            .outerjoin(decided, decided.c.campaign_id == review_campaigns.c.id)
            .order_by(review_campaigns.c.created_at.desc(), review_campaigns.c.id)
        )
        if status is not None:
            statement = statement.where(review_campaigns.c.status == status.value)
        with self._engine.connect() as connection:
            return [
                CampaignSummary(
                    row.id,
                    row.name,
                    Status(row.status),
                    row.created_by,
                    aware(row.created_at),
                    aware(row.deadline),
                    int(row.items or 0),
                    int(row.decided or 0),
                )
                for row in connection.execute(statement)
            ]

    def pending_for(self, reviewer: str) -> list[tuple[str, ReviewItem]]:
        statement = (
            select(review_items)
            .join(review_campaigns, review_campaigns.c.id == review_items.c.campaign_id)
            .outerjoin(
                review_decisions,
                and_(
                    review_decisions.c.campaign_id == review_items.c.campaign_id,
                    review_decisions.c.item_id == review_items.c.item_id,
                ),
            )
            .where(
                review_items.c.reviewer == reviewer,
                review_campaigns.c.status == Status.OPEN.value,
                review_decisions.c.item_id.is_(None),
            )
            .order_by(review_items.c.campaign_id, review_items.c.item_id)
        )
        with self._engine.connect() as connection:
            return [(row.campaign_id, item_from_row(row)) for row in connection.execute(statement)]

    def decide(self, campaign_id: str, decision: Decision, event: AuditEvent) -> None:
        try:
            with self._engine.begin() as connection:
                open_campaign = connection.execute(
                    select(review_campaigns.c.status)
                    .where(review_campaigns.c.id == campaign_id)
                    .with_for_update()
                ).scalar()
                if open_campaign != Status.OPEN.value:
                    raise ValueError(f"campaign {campaign_id} is not open; decisions are final")
                connection.execute(insert(review_decisions).values(_decision_row(campaign_id, decision)))
                append(connection, event)
        except IntegrityError:
            raise ValueError(
                f"item {decision.item_id} of campaign {campaign_id} was decided already"
            ) from None

    def close(
        self, campaign_id: str, decisions: Sequence[Decision], at: datetime, events: Sequence[AuditEvent]
    ) -> None:
        with self._engine.begin() as connection:
            closed = connection.execute(
                update(review_campaigns)
                .where(review_campaigns.c.id == campaign_id, review_campaigns.c.status == Status.OPEN.value)
                .values(status=Status.CLOSED.value, closed_at=at.astimezone(UTC))
            ).rowcount
            if not closed:
                raise ValueError(f"campaign {campaign_id} is closed already")
            rows = [_decision_row(campaign_id, d) for d in decisions]
            for start in range(0, len(rows), BATCH):
                connection.execute(insert(review_decisions), rows[start : start + BATCH])
            for event in events:
                append(connection, event)

    def record_change(self, campaign_id: str, item_id: str, detail: str, event: AuditEvent) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(review_items)
                .where(review_items.c.campaign_id == campaign_id, review_items.c.item_id == item_id)
                .values(changed=detail)
            )
            append(connection, event)

    def mark_reminded(self, campaign_id: str, at: datetime) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(review_campaigns)
                .where(review_campaigns.c.id == campaign_id)
                .values(reminded_at=at.astimezone(UTC))
            )


def _decision_row(campaign_id: str, decision: Decision) -> dict[str, object]:
    return {
        "campaign_id": campaign_id,
        "item_id": decision.item_id,
        "verdict": decision.verdict.value,
        "reviewer": decision.reviewer,
        "comment": decision.comment,
        "at": decision.at.astimezone(UTC),
    }
