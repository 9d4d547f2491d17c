"""The shared back-off from PagerDuty: pages wait together while it is down and go out in due order.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "pagerduty_gate",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("closed_until", Time),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("catching_up", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("reason", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("pagerduty_gate")
