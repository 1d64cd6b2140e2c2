"""Assignment claims: one worker thread at a time changes an assignment (principal, account, permission set).

Revision ID: 0009_assignment_claims
Revises: 0008_web_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_assignment_claims"
down_revision = "0008_web_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignment_claims",
        sa.Column("principal", sa.String(256), primary_key=True),
        sa.Column("account_id", sa.String(32), primary_key=True),
        sa.Column("permission_set", sa.String(64), primary_key=True),
        sa.Column("worker", sa.String(128), nullable=False),
        sa.Column("process", sa.String(64), nullable=False),
        sa.Column("thread", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("assignment_claims")
