"""Reports: each phase's first entry time as a column of its own, and incidents by opening time.

The report and the /metrics histograms aggregate these over a year of incidents; read out of the
`phase_times` JSON per row, the same query took seconds (bench/reports.py).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

PHASES = ("detection", "response", "mitigation", "recovery", "postmortem", "done")
BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("incident_lifecycle") as batch:
        for phase in PHASES:
            batch.add_column(sa.Column(f"entered_{phase}", sa.DateTime(timezone=True)))
    op.create_index("ix_incidents_opened_at", "incidents", ["opened_at"])
    _backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_incidents_opened_at", "incidents")
    with op.batch_alter_table("incident_lifecycle") as batch:
        for phase in PHASES:
            batch.drop_column(f"entered_{phase}")


def _backfill(conn) -> None:
    """From each row's phase_times, in batches by incident id (the same on PostgreSQL and SQLite)."""
    table = sa.table("incident_lifecycle", sa.column("incident_id"), sa.column("phase_times", sa.JSON))
    after = -1
    while rows := conn.execute(
        sa.select(table.c.incident_id, table.c.phase_times)
        .where(table.c.incident_id > after)
        .order_by(table.c.incident_id)
        .limit(BATCH)
    ).all():
        for incident_id, times in rows:
            values = {f"entered_{phase}": datetime.fromisoformat(at) for phase, at in times}
            if values:
                conn.execute(
                    sa.text(
                        f"UPDATE incident_lifecycle SET {', '.join(f'{k} = :{k}' for k in values)} "
                        "WHERE incident_id = :id"
                    ),
                    values | {"id": incident_id},
                )
        after = rows[-1][0]
