"""Worker registrations: one live process per worker name, so two workers never share the leases of one.

Revision ID: 0010_worker_registrations
Revises: 0009_assignment_claims
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_worker_registrations"
down_revision = "0009_assignment_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_registrations",
        sa.Column("owner", sa.String(256), primary_key=True),
        sa.Column("process", sa.String(64), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("machine", sa.String(128), nullable=False),
        sa.Column("beats", sa.Integer, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("worker_registrations")
