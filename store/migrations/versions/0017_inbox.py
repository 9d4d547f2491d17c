"""The intake inbox: a request is stored and answered, and one consumer applies it later.

Each raw request gets the id it was answered with (`request_id`), a lane (its group's, so that one
consumer at a time applies a group, in arrival order), when it was applied and to which incidents.
Requests stored before this revision were applied when they came: they are marked so.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

Time = sa.DateTime(timezone=True)
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("raw_requests") as batch:
        batch.add_column(sa.Column("request_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("lane", sa.SmallInteger, nullable=False, server_default="0"))
        batch.add_column(sa.Column("applied_at", Time, nullable=True))
        batch.add_column(sa.Column("incidents", Json, nullable=True))
    op.execute("UPDATE raw_requests SET applied_at = received_at")
    op.create_index("ix_raw_requests_request_id", "raw_requests", ["request_id"])
    # The consumer's claim reads only what waits: the index stays as small as the backlog.
    op.create_index(
        "ix_raw_requests_pending",
        "raw_requests",
        ["lane", "id"],
        postgresql_where=sa.text("applied_at IS NULL"),
        sqlite_where=sa.text("applied_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_raw_requests_pending", table_name="raw_requests")
    op.drop_index("ix_raw_requests_request_id", table_name="raw_requests")
    with op.batch_alter_table("raw_requests") as batch:
        for column in ("incidents", "applied_at", "lane", "request_id"):
            batch.drop_column(column)
