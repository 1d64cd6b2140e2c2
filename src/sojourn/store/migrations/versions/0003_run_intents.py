"""Apply runs say which process runs them; each planned change keeps its full document for reconciling.

Revision ID: 0003_run_intents
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_run_intents"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("apply_runs") as batch:
        batch.add_column(sa.Column("owner", sa.String(256)))
    with op.batch_alter_table("run_changes") as batch:
        batch.add_column(sa.Column("document", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("run_changes") as batch:
        batch.drop_column("document")
    with op.batch_alter_table("apply_runs") as batch:
        batch.drop_column("owner")
