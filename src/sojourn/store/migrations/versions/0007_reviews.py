"""Access review campaigns, their items (one standing assignment each) and the decisions taken.

Revision ID: 0004_reviews
Revises: 0004_key_rotations
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_reviews"
down_revision = "0004_key_rotations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_campaigns",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_action", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("reminded_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_review_campaigns_status", "review_campaigns", ["status", "created_at"])
    op.create_table(
        "review_items",
        sa.Column("campaign_id", sa.String(64), sa.ForeignKey("review_campaigns.id"), primary_key=True),
        sa.Column("item_id", sa.String(16), primary_key=True),
        sa.Column("account_id", sa.String(32), nullable=False),
        sa.Column("permission_set", sa.String(64), nullable=False),
        sa.Column("principal_type", sa.String(8), nullable=False),
        sa.Column("principal", sa.String(256), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.String(256)),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("account_name", sa.String(256), nullable=False),
        sa.Column("changed", sa.Text),
    )
    op.create_index("ix_review_items_reviewer", "review_items", ["reviewer"])
    op.create_table(
        "review_decisions",
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("item_id", sa.String(16), primary_key=True),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.String(256), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("review_decisions")
    op.drop_index("ix_review_items_reviewer", "review_items")
    op.drop_table("review_items")
    op.drop_index("ix_review_campaigns_status", "review_campaigns")
    op.drop_table("review_campaigns")
