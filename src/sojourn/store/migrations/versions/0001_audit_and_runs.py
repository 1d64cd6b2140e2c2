"""Audit chain, apply runs with their changes, and the last applied state.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_records",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(256), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("person", sa.String(256)),
        sa.Column("account_id", sa.String(32)),
        sa.Column("permission_set", sa.String(64)),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
        sa.Column("run_id", sa.String(64)),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_person_at", "audit_records", ["person", "at"])
    op.create_index("ix_audit_account_at", "audit_records", ["account_id", "at"])
    op.create_index("ix_audit_at", "audit_records", ["at"])
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", SEQ, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])
    op.create_table(
        "apply_runs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("actor", sa.String(256), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("base_fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_table(
        "run_changes",
        sa.Column(
            "run_id", sa.String(64), sa.ForeignKey("apply_runs.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("change_key", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_table(
        "applied_states",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("instance", sa.String(256), nullable=False),
        sa.Column("run_id", sa.String(64), sa.ForeignKey("apply_runs.id")),
        sa.Column("state", sa.Text, nullable=False),
        sa.UniqueConstraint("instance", name="uq_applied_state_instance"),
    )


def downgrade() -> None:
    for table in ("applied_states", "run_changes", "apply_runs", "audit_chain_head", "audit_records"):
        op.drop_table(table)
