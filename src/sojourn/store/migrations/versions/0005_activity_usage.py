"""Activity: the usage table (who used which action on which resource, when, how often) and the CloudTrail
log files already ingested (the watermark per account/region prefix).

Revision ID: 0003_activity
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_activity"
down_revision = "0003_token_person"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usage_lines",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("principal", sa.String(1024), nullable=False),
        sa.Column("session", sa.String(256), nullable=False),
        sa.Column("action", sa.String(256), nullable=False),
        sa.Column("resource", sa.Text, nullable=False),
        sa.Column("denied", sa.Boolean, nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("calls", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_usage_lines_principal", "usage_lines", ["principal", "last_seen"])
    op.create_table(
        "activity_files",
        sa.Column("key", sa.String(1024), primary_key=True),
        sa.Column("prefix", sa.String(1024), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_activity_files_prefix", "activity_files", ["prefix", "key"])


def downgrade() -> None:
    op.drop_index("ix_activity_files_prefix", "activity_files")
    op.drop_table("activity_files")
    op.drop_index("ix_usage_lines_principal", "usage_lines")
    op.drop_table("usage_lines")
