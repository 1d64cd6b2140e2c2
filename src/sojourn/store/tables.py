"""SQLAlchemy table definitions; the migrations in store/migrations create exactly these."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

audit_records = Table(
    "audit_records",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(256), nullable=False),
    Column("action", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("person", String(256)),
    Column("account_id", String(32)),
    Column("permission_set", String(64)),
    Column("target", Text, nullable=False),
    Column("before", Text),
    Column("after", Text),
    Column("run_id", String(64)),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_person_at", "person", "at"),
    Index("ix_audit_account_at", "account_id", "at"),
    Index("ix_audit_at", "at"),
)

chain_head = Table(
    "audit_chain_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    Column("hash", String(64), nullable=False),
)

apply_runs = Table(
    "apply_runs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("actor", String(256), nullable=False),
    Column("reason", Text, nullable=False),
    Column("base_fingerprint", String(64), nullable=False),
    Column("status", String(16), nullable=False),
)

run_changes = Table(
    "run_changes",
    metadata,
    Column("run_id", String(64), ForeignKey("apply_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("change_key", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("detail", Text, nullable=False, default=""),
)

applied_states = Table(
    "applied_states",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instance", String(256), nullable=False),
    Column("run_id", String(64), ForeignKey("apply_runs.id")),
    Column("state", Text, nullable=False),
    UniqueConstraint("instance", name="uq_applied_state_instance"),
)
