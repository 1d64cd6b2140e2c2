"""Requests by state (the inbox and grants now ask for pending, approved and active requests of everyone).

Revision ID: 0008_web_indexes
Revises: 0004_reviews
"""

from alembic import op

revision = "0008_web_indexes"
down_revision = "0004_reviews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_grant_requests_state", "grant_requests", ["state", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_grant_requests_state", table_name="grant_requests")
