"""Breaches: a partial index on the timeline's breach entries, which /metrics counts at every scrape.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BREACH = sa.text("kind = 'breach'")


def upgrade() -> None:
    op.create_index("ix_timeline_breaches", "timeline", ["kind"], postgresql_where=BREACH, sqlite_where=BREACH)


def downgrade() -> None:
    op.drop_index("ix_timeline_breaches", "timeline")
