"""The timeline's index by incident carries the entry's id too: `(incident_id, id)`.

The incident page reads an incident's newest entries (`WHERE incident_id = ? ORDER BY id DESC LIMIT 100`)
and the live poll its newest id. With `(incident_id)` alone the planner could walk the primary key
backwards and filter, which on a large timeline reads every entry written since an old incident's last
one; with `(incident_id, id)` both read only the incident's own entries, newest first.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_timeline_incident_id_id", "timeline", ["incident_id", "id"])
    op.drop_index("ix_timeline_incident_id", "timeline")


def downgrade() -> None:
    op.create_index("ix_timeline_incident_id", "timeline", ["incident_id"])
    op.drop_index("ix_timeline_incident_id_id", "timeline")
