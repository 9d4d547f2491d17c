"""Why a page was cancelled, so that the incident's list of pages can say it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pages", sa.Column("cancel_reason", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("cancel_reason")
