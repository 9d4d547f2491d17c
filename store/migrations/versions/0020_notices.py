"""On-call notices (an outbox), the last look at each schedule, and recorded on-call periods.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("schedule", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("recipients", Json, nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("next_attempt_at", Time, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("sent_at", Time),
        sa.Column("delivered", sa.String(16)),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_notices_due", "notices", ["sent_at", "next_attempt_at"])
    op.create_table(
        "schedule_looks",
        sa.Column("schedule", sa.String(64), primary_key=True),
        sa.Column("seen_at", Time, nullable=False),
        sa.Column("shifts", Json, nullable=False),
        sa.Column("recorded_until", Time, nullable=False),
    )
    op.create_table(
        "oncall_periods",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("schedule", sa.String(64), nullable=False),
        sa.Column("person", sa.String(128), nullable=False),
        sa.Column("start_at", Time, nullable=False),
        sa.Column("end_at", Time, nullable=False),
    )
    op.create_index("ix_oncall_periods_schedule_end", "oncall_periods", ["schedule", "end_at"])
    op.create_index("ix_oncall_periods_person_start", "oncall_periods", ["person", "start_at"])


def downgrade() -> None:
    op.drop_table("oncall_periods")
    op.drop_table("schedule_looks")
    op.drop_index("ix_notices_due", table_name="notices")
    op.drop_table("notices")
