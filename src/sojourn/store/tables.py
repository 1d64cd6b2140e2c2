"""SQLAlchemy table definitions; the migrations in store/migrations create exactly these."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
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
    Column("owner", String(256)),
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
    Column("document", Text),
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

grant_requests = Table(
    "grant_requests",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("person", String(256), nullable=False),
    Column("permission_set", String(64), nullable=False),
    Column("state", String(32), nullable=False),
    Column("due_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Index("ix_grant_requests_due", "due_at"),
    Index("ix_grant_requests_person", "person", "state"),
    Index("ix_grant_requests_state", "state", "due_at"),
)

grant_effects = Table(
    "grant_effects",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("request_id", String(64), ForeignKey("grant_requests.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("next_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("done_at", DateTime(timezone=True)),
    Column("lease_owner", String(64)),
    Column("lease_until", DateTime(timezone=True)),
    Column("last_error", Text),
    Index("ix_grant_effects_pending", "done_at", "next_at"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_id", String(64), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("digest", String(128), nullable=False),
    Column("roles", Text, nullable=False),
    Column("scopes", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("person", String(256)),
    Column("issued_by", String(256)),
)

usage_lines = Table(
    "usage_lines",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("principal", String(1024), nullable=False),
    Column("session", String(256), nullable=False),
    Column("action", String(256), nullable=False),
    Column("resource", Text, nullable=False),
    Column("denied", Boolean, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("calls", BigInteger, nullable=False),
    Index("ix_usage_lines_principal", "principal", "last_seen"),
)

activity_files = Table(
    "activity_files",
    metadata,
    Column("key", String(1024), primary_key=True),
    Column("prefix", String(1024), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Index("ix_activity_files_prefix", "prefix", "key"),
)

key_rotations = Table(
    "key_rotations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_name", String(128), nullable=False),
    Column("secret_id", String(2048), nullable=False),
    Column("step", String(32), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("old_key_id", String(128)),
    Column("new_key_id", String(128)),
    Column("version", String(64)),
    Column("attempts", Integer, nullable=False),
    Column("grace_seconds", BigInteger, nullable=False),
    Column("deactivated_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("error", Text),
    Index("ix_key_rotations_user", "user_name", "finished_at"),
)

review_campaigns = Table(
    "review_campaigns",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("scope", Text, nullable=False),
    Column("created_by", String(256), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),
    Column("deadline_action", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("reminded_at", DateTime(timezone=True)),
    Index("ix_review_campaigns_status", "status", "created_at"),
)

review_items = Table(
    "review_items",
    metadata,
    Column("campaign_id", String(64), ForeignKey("review_campaigns.id"), primary_key=True),
    Column("item_id", String(16), primary_key=True),
    Column("account_id", String(32), nullable=False),
    Column("permission_set", String(64), nullable=False),
    Column("principal_type", String(8), nullable=False),
    Column("principal", String(256), nullable=False),
    Column("source", String(16), nullable=False),
    Column("reviewer", String(256)),
    Column("why", Text, nullable=False),
    Column("account_name", String(256), nullable=False),
    Column("changed", Text),
    Index("ix_review_items_reviewer", "reviewer"),
)

review_decisions = Table(
    "review_decisions",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("item_id", String(16), primary_key=True),
    Column("verdict", String(16), nullable=False),
    Column("reviewer", String(256), nullable=False),
    Column("comment", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

assignment_claims = Table(
    "assignment_claims",
    metadata,
    Column("principal", String(256), primary_key=True),
    Column("account_id", String(32), primary_key=True),
    Column("permission_set", String(64), primary_key=True),
    Column("worker", String(128), nullable=False),
    Column("process", String(64), nullable=False),
    Column("thread", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

worker_registrations = Table(
    "worker_registrations",
    metadata,
    Column("owner", String(256), primary_key=True),
    Column("process", String(64), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("machine", String(128), nullable=False),
    Column("beats", Integer, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
