"""Noise control: maintenance windows, an incident's held first page, budget-suppressed pages.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)
FLAPPED = sa.text("kind = 'flapped'")
SENT_TRIGGER = sa.text("status = 'sent' AND action = 'trigger'")


def upgrade() -> None:
    op.create_table(
        "maintenance_windows",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("services", Json, nullable=False),
        sa.Column("start_at", Time, nullable=False),
        sa.Column("end_at", Time, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(160), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("ended_by", sa.String(160)),
    )
    op.create_index("ix_maintenance_windows_end_at", "maintenance_windows", ["end_at"])
    op.add_column("incidents", sa.Column("esc_held", sa.String(16), nullable=False, server_default=""))
    op.add_column("pages", sa.Column("summary_id", Id))
    op.create_index(
        "ix_pages_target_sent",
        "pages",
        ["target_name", "target_kind", "sent_at"],
        postgresql_where=SENT_TRIGGER,
        sqlite_where=SENT_TRIGGER,
    )
    op.create_index("ix_pages_summary_id", "pages", ["summary_id"], postgresql_where=sa.text("summary_id IS NOT NULL"))
    op.create_index("ix_timeline_flaps", "timeline", ["kind"], postgresql_where=FLAPPED, sqlite_where=FLAPPED)


def downgrade() -> None:
    op.drop_index("ix_timeline_flaps", "timeline")
    op.drop_index("ix_pages_summary_id", "pages")
    op.drop_index("ix_pages_target_sent", "pages")
    op.drop_column("pages", "summary_id")
    op.drop_column("incidents", "esc_held")
    op.drop_index("ix_maintenance_windows_end_at", "maintenance_windows")
    op.drop_table("maintenance_windows")
