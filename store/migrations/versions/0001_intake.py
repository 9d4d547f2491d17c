"""Intake: raw requests, incidents, alerts and the timeline.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)
OPEN = sa.text("status <> 'resolved'")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE incident_numbers")
    op.create_table(
        "raw_requests",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("received_at", Time, nullable=False),
        sa.Column("remote_addr", sa.String(64), nullable=False, server_default=""),
        sa.Column("user_agent", sa.String(256), nullable=False, server_default=""),
        sa.Column("body", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "incidents",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("number", sa.Integer, unique=True),
        sa.Column("service", sa.String(128), nullable=False),
        sa.Column("group_key", sa.Text, nullable=False),
        sa.Column("group_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("severity", sa.SmallInteger, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("opened_at", Time, nullable=False),
        sa.Column("acknowledged_at", Time),
        sa.Column("resolved_at", Time),
        sa.Column("last_alert_at", Time, nullable=False),
        sa.Column("alert_events", sa.Integer, nullable=False),
        sa.Column("open_token", sa.BigInteger, nullable=False),
        sa.Column("policy", Json, nullable=False),
    )
    op.create_index(
        "uq_incidents_open_group",
        "incidents",
        ["service", "group_hash"],
        unique=True,
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    op.create_index("ix_incidents_status_opened", "incidents", ["status", "opened_at"])
    op.create_table(
        "alerts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("fingerprint", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("severity", sa.SmallInteger, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("labels", Json, nullable=False),
        sa.Column("annotations", Json, nullable=False),
        sa.Column("generator_url", sa.Text, nullable=False),
        sa.Column("starts_at", Time),
        sa.Column("ends_at", Time),
        sa.Column("first_seen", Time, nullable=False),
        sa.Column("last_seen", Time, nullable=False),
        sa.Column("received_count", sa.Integer, nullable=False),
        sa.Column("insert_token", sa.BigInteger, nullable=False),
        sa.Column("change_token", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("incident_id", "fingerprint", name="uq_alerts_incident_fingerprint"),
    )
    op.create_table(
        "timeline",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("at", Time, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("data", Json, nullable=False),
    )
    op.create_index("ix_timeline_incident_id", "timeline", ["incident_id"])


def downgrade() -> None:
    for table in ("timeline", "alerts", "incidents", "raw_requests"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE incident_numbers")
