"""API tokens bound to a person, and who issued each token.

Revision ID: 0003_token_person
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_token_person"
down_revision = "0003_run_intents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as table:
        table.add_column(sa.Column("person", sa.String(256)))
        table.add_column(sa.Column("issued_by", sa.String(256)))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as table:
        table.drop_column("issued_by")
        table.drop_column("person")
