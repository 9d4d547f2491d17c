"""Post-mortems: one per resolved incident, every saved version, and the follow-ups (action items).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)
DRAFT_REMINDER = sa.text("state = 'draft' AND remind_at IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "postmortems",
        sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("due_at", Time),
        sa.Column("remind_at", Time),
        sa.Column("reminders_sent", sa.Integer, nullable=False, server_default="0"),
        sa.Column("skip_reason", sa.Text),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("published_at", Time),
        sa.Column("published_by", sa.String(160)),
    )
    where = {"postgresql_where": DRAFT_REMINDER, "sqlite_where": DRAFT_REMINDER}
    op.create_index("ix_postmortems_remind_at", "postmortems", ["remind_at"], **where)
    op.create_index("ix_postmortems_state_due", "postmortems", ["state", "due_at"])
    op.create_table(
        "postmortem_versions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.String(160), nullable=False),
        sa.Column("at", Time, nullable=False),
    )
    op.create_table(
        "follow_ups",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("owner_kind", sa.String(8)),
        sa.Column("owner_name", sa.String(128)),
        sa.Column("due_on", sa.Date),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(160), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("closed_at", Time),
        sa.UniqueConstraint("incident_id", "text", name="uq_follow_ups_text"),
    )
    op.create_index("ix_follow_ups_state_due", "follow_ups", ["state", "due_on"])


def downgrade() -> None:
    op.drop_index("ix_follow_ups_state_due", "follow_ups")
    op.drop_table("follow_ups")
    op.drop_table("postmortem_versions")
    op.drop_index("ix_postmortems_state_due", "postmortems")
    op.drop_index("ix_postmortems_remind_at", "postmortems")
    op.drop_table("postmortems")
