"""The incident list's search over labels: a trigram index on the alerts' labels (PostgreSQL).

`ILIKE '%db-7%'` over `labels::text` then reads only the alerts that match, once per request, instead of
every alert of every incident. pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create
it. Where it cannot be created the search still works, by a scan; SQLite always scans (embedded, small).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

import logging

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None
log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    with op.get_bind().begin_nested() as savepoint:
        try:
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DBAPIError as error:  # not installed, or no right to create it: the search scans instead
            savepoint.rollback()
            log.warning("pg_trgm not available (%s): the incident list's label search scans the alerts", error)
            return
    op.execute("CREATE INDEX ix_alerts_labels_trgm ON alerts USING gin ((labels::text) gin_trgm_ops)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_alerts_labels_trgm")
