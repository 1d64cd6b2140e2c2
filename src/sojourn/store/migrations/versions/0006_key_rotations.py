"""Key rotations: each rotation of an IAM user's access key through a Secrets Manager secret, and its step.

Revision ID: 0004_key_rotations
Revises: 0003_activity
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_key_rotations"
down_revision = "0003_activity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "key_rotations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_name", sa.String(128), nullable=False),
        sa.Column("secret_id", sa.String(2048), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("old_key_id", sa.String(128)),
        sa.Column("new_key_id", sa.String(128)),
        sa.Column("version", sa.String(64)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("grace_seconds", sa.BigInteger, nullable=False),
        sa.Column("deactivated_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_key_rotations_user", "key_rotations", ["user_name", "finished_at"])


def downgrade() -> None:
    op.drop_index("ix_key_rotations_user", "key_rotations")
    op.drop_table("key_rotations")
