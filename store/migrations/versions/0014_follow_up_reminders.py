"""Follow-ups: their owner's reminders (next time, round, last sent) and the index of open ones by incident.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

Time = sa.DateTime(timezone=True)
OPEN_REMINDER = sa.text("state = 'open' AND remind_at IS NOT NULL")
OPEN_FOLLOW_UP = sa.text("state = 'open'")


def upgrade() -> None:
    op.add_column("follow_ups", sa.Column("remind_at", Time))
    op.add_column("follow_ups", sa.Column("remind_round", sa.Integer, nullable=False, server_default="0"))
    op.add_column("follow_ups", sa.Column("reminded", sa.String(8), nullable=False, server_default=""))
    # Open follow-ups recorded before this migration are reminded from their due date on.
    op.execute(
        "UPDATE follow_ups SET remind_at = due_on || ' 00:00:00.000000' WHERE state = 'open' AND due_on IS NOT NULL"
        if op.get_bind().dialect.name == "sqlite"
        else "UPDATE follow_ups SET remind_at = due_on::timestamp AT TIME ZONE 'UTC' "
        "WHERE state = 'open' AND due_on IS NOT NULL"
    )
    reminder = {"postgresql_where": OPEN_REMINDER, "sqlite_where": OPEN_REMINDER}
    op.create_index("ix_follow_ups_remind_at", "follow_ups", ["remind_at"], **reminder)
    open_ = {"postgresql_where": OPEN_FOLLOW_UP, "sqlite_where": OPEN_FOLLOW_UP}
    op.create_index("ix_follow_ups_open", "follow_ups", ["incident_id"], **open_)


def downgrade() -> None:
    op.drop_index("ix_follow_ups_open", "follow_ups")
    op.drop_index("ix_follow_ups_remind_at", "follow_ups")
    with op.batch_alter_table("follow_ups") as batch:
        batch.drop_column("reminded")
        batch.drop_column("remind_round")
        batch.drop_column("remind_at")
