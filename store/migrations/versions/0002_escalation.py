"""Escalation: state on the incident, the page outbox, used acknowledgement links.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)
PENDING = sa.text("status = 'pending'")
WAKING = sa.text("next_wake_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("esc_level", sa.Integer, nullable=False, server_default="-1"))
        batch.add_column(sa.Column("esc_loop", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("esc_round", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("esc_due_at", Time))
        batch.add_column(sa.Column("esc_unresolved_due_at", Time))
        batch.add_column(sa.Column("esc_exhausted", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("esc_last_level_loop", sa.Integer, nullable=False, server_default="-1"))
        batch.add_column(sa.Column("esc_token", sa.BigInteger, nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_wake_at", Time))
    op.create_index(
        "ix_incidents_next_wake_at", "incidents", ["next_wake_at"], postgresql_where=WAKING, sqlite_where=WAKING
    )
    op.create_table(
        "pages",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("target_kind", sa.String(8), nullable=False),
        sa.Column("target_name", sa.String(128), nullable=False),
        sa.Column("routing_key", sa.String(255), nullable=False),
        sa.Column("dedup_key", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("due_at", Time, nullable=False),  # when the step was due: lateness = sent_at - due_at
        sa.Column("next_attempt_at", Time, nullable=False),
        sa.Column("sent_at", Time),
        sa.Column("last_error", sa.Text),
        sa.UniqueConstraint("incident_id", "action", "step", "target_kind", "target_name", name="uq_pages_step"),
    )
    op.create_index("ix_pages_pending", "pages", ["next_attempt_at"], postgresql_where=PENDING, sqlite_where=PENDING)
    op.create_index("ix_pages_incident_id", "pages", ["incident_id"])
    op.create_index("ix_pages_dedup_key", "pages", ["dedup_key"])
    op.create_table(
        "used_links",
        sa.Column("link_id", sa.String(64), primary_key=True),
        sa.Column("used_at", Time, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("used_links")
    op.drop_table("pages")
    op.drop_index("ix_incidents_next_wake_at", "incidents")
    with op.batch_alter_table("incidents") as batch:
        for column in (
            "esc_level",
            "esc_loop",
            "esc_round",
            "esc_due_at",
            "esc_unresolved_due_at",
            "esc_exhausted",
            "esc_last_level_loop",
            "esc_token",
            "next_wake_at",
        ):
            batch.drop_column(column)
