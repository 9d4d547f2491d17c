"""A person's choice for the public status page: `incident_lifecycle.published` (NULL: the rule decides).

An incident with a public update was published by the person who posted it: it stays on the page.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("incident_lifecycle", sa.Column("published", sa.Boolean))
    op.execute(
        "UPDATE incident_lifecycle SET published = true WHERE incident_id IN "
        "(SELECT incident_id FROM status_updates WHERE public)"
    )


def downgrade() -> None:
    op.drop_column("incident_lifecycle", "published")
