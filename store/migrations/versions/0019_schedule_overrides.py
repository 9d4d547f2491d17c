"""Schedule overrides: someone on call for a schedule between two times instead of its layers' person.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "schedule_overrides",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("schedule", sa.String(64), nullable=False),
        sa.Column("person", sa.String(128), nullable=False),
        sa.Column("start_at", Time, nullable=False),
        sa.Column("end_at", Time, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("created_by", sa.String(160), nullable=False),
        sa.Column("deleted_at", Time),
        sa.Column("deleted_by", sa.String(160)),
    )
    op.create_index("ix_schedule_overrides_schedule_end", "schedule_overrides", ["schedule", "end_at"])


def downgrade() -> None:
    op.drop_index("ix_schedule_overrides_schedule_end", table_name="schedule_overrides")
    op.drop_table("schedule_overrides")
