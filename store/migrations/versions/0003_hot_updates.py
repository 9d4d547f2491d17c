"""PostgreSQL storage settings for the intake's write pattern.

Every accepted request updates its incident row and its alert rows in place: room left on each
page (fillfactor) lets PostgreSQL write the new row versions there (HOT updates), without new
index entries. Raw request bodies are compressed with lz4, much cheaper than the default pglz.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE incidents SET (fillfactor = 70)")
    op.execute("ALTER TABLE alerts SET (fillfactor = 70)")
    if op.get_bind().dialect.server_version_info >= (14,):  # column compression came with 14
        op.execute("ALTER TABLE raw_requests ALTER COLUMN body SET COMPRESSION lz4")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    if op.get_bind().dialect.server_version_info >= (14,):
        op.execute("ALTER TABLE raw_requests ALTER COLUMN body SET COMPRESSION default")
    op.execute("ALTER TABLE alerts RESET (fillfactor)")
    op.execute("ALTER TABLE incidents RESET (fillfactor)")
