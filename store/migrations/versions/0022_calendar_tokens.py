"""Calendar feeds' nonces, from which their URL tokens are derived.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "calendar_tokens",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("owner", sa.String(128), primary_key=True),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("created_at", Time, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("calendar_tokens")
