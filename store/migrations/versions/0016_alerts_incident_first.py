"""An index for an incident's first alert, which each page claimed reads for its labels.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Concurrently on PostgreSQL: alerts is intake's busiest table, and a plain build would hold its
    # inserts for as long as a large history takes to index.
    with op.get_context().autocommit_block():
        op.create_index("ix_alerts_incident_first", "alerts", ["incident_id", "id"], postgresql_concurrently=True)


def downgrade() -> None:
    op.drop_index("ix_alerts_incident_first", table_name="alerts")
