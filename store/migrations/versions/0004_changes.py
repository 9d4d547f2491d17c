"""Changes: deploys and configuration changes, the rollback candidates of an incident.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("service", sa.String(128), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("origin", sa.Text),
        sa.Column("version", sa.Text),
        sa.Column("commit", sa.Text),
        sa.Column("author", sa.Text),
        sa.Column("links", Json, nullable=False),
        sa.Column("custom_details", Json),
        sa.Column("changed_at", Time, nullable=False),
        sa.Column("received_at", Time, nullable=False),
        sa.Column("raw_request_id", Id, sa.ForeignKey("raw_requests.id"), nullable=False),
    )
    # changes_for: the changes to some services between two times.
    op.create_index("ix_changes_service_changed_at", "changes", ["service", "changed_at"])


def downgrade() -> None:
    op.drop_table("changes")
