"""Lifecycle: phases, commander, roles, targets on a side table; the checklist; status updates; who did
each timeline entry.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)
DUE = sa.text("due_at IS NOT NULL")
# Entries written for an alert's sender before the column existed.
ALERT_KINDS = "('opened', 'alert_firing', 'alert_resolved', 'severity_raised')"


def upgrade() -> None:
    with op.batch_alter_table("timeline") as batch:
        batch.add_column(sa.Column("actor", sa.String(160), nullable=False, server_default="system"))
    op.execute(
        f"UPDATE timeline SET actor = (SELECT source FROM incidents WHERE incidents.id = timeline.incident_id) "
        f"WHERE kind IN {ALERT_KINDS}"
    )
    op.create_table(
        "incident_lifecycle",
        sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), primary_key=True),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("phase_times", Json, nullable=False),
        sa.Column("problem_started_at", Time, nullable=False),
        sa.Column("detected_at", Time, nullable=False),
        sa.Column("status_word", sa.String(16), nullable=False),
        sa.Column("impact", sa.Text, nullable=False, server_default=""),
        sa.Column("affected", Json, nullable=False),
        sa.Column("commander", sa.String(128)),
        sa.Column("roles", Json, nullable=False),
        sa.Column("pinned", Json, nullable=False),
        sa.Column("next_update_due_at", Time),
        sa.Column("update_misses", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updates_posted", sa.Integer, nullable=False, server_default="0"),
        sa.Column("severity_set_by", sa.String(160)),
        sa.Column("severity_set_at", Time),
        sa.Column("breaches", Json, nullable=False),
        sa.Column("found_by", sa.Text, nullable=False, server_default=""),
        sa.Column("due_at", Time),
    )
    op.create_index(
        "ix_incident_lifecycle_due_at", "incident_lifecycle", ["due_at"], postgresql_where=DUE, sqlite_where=DUE
    )
    op.create_table(
        "incident_actions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("done_by", sa.String(160)),
        sa.Column("done_at", Time),
        sa.Column("assignee", sa.String(128)),
        sa.Column("created_by", sa.String(160), nullable=False),
        sa.Column("created_at", Time, nullable=False),
    )
    op.create_index("ix_incident_actions_incident_id", "incident_actions", ["incident_id"])
    op.create_table(
        "status_updates",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("status_word", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("eta", sa.String(64), nullable=False, server_default=""),
        sa.Column("eta_at", Time),
        sa.Column("author", sa.String(160), nullable=False),
        sa.Column("at", Time, nullable=False),
        sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_status_updates_incident_id", "status_updates", ["incident_id"])


def downgrade() -> None:
    op.drop_table("status_updates")
    op.drop_table("incident_actions")
    op.drop_table("incident_lifecycle")
    with op.batch_alter_table("timeline") as batch:
        batch.drop_column("actor")
