"""Cover requests: a person on call asks the others on the schedule to take a shift, or part of one.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cover_requests",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("schedule", sa.String(64), nullable=False),
        sa.Column("requester", sa.String(128), nullable=False),
        sa.Column("start_at", Time, nullable=False),
        sa.Column("end_at", Time, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("created_by", sa.String(160), nullable=False),
        sa.Column("taken_by", sa.String(128)),
        sa.Column("taken_at", Time),
        sa.Column("override_id", Id),
        sa.Column("cancelled_at", Time),
        sa.Column("cancelled_by", sa.String(160)),
    )
    op.create_index("ix_cover_requests_schedule_end", "cover_requests", ["schedule", "end_at"])


def downgrade() -> None:
    op.drop_index("ix_cover_requests_schedule_end", table_name="cover_requests")
    op.drop_table("cover_requests")
