"""A page's headline: why it comes, said first in its PagerDuty summary ("[INC-4] update overdue: ...").

Pages stored before have none: their summary is their incident's title, as it was.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pages", sa.Column("headline", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("pages", "headline")
