"""Status page: components' states set by hand, and announced maintenance.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "status_overrides",
        sa.Column("service", sa.String(128), primary_key=True),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("set_by", sa.String(160), nullable=False),
        sa.Column("set_at", Time, nullable=False),
    )
    op.create_table(
        "maintenances",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("services", Json, nullable=False),
        sa.Column("starts_at", Time, nullable=False),
        sa.Column("ends_at", Time, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("created_by", sa.String(160), nullable=False),
        sa.Column("created_at", Time, nullable=False),
    )
    op.create_index("ix_maintenances_ends_at", "maintenances", ["ends_at"])


def downgrade() -> None:
    op.drop_index("ix_maintenances_ends_at", "maintenances")
    op.drop_table("maintenances")
    op.drop_table("status_overrides")
