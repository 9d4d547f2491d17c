"""Rollback decisions, read back from the timeline (commands.rollbacks decides them)."""

import sqlalchemy as sa

from incidents import rollbacks
from store.tables import timeline


def rollbacks_of(conn, incident_id: int) -> tuple[rollbacks.Rollback, ...]:
    """The incident's rollback decisions, oldest first."""
    query = sa.select(timeline.c.kind, timeline.c.data, timeline.c.actor, timeline.c.at).where(
        timeline.c.incident_id == incident_id, timeline.c.kind == rollbacks.KIND
    )
    rows = conn.execute(query.order_by(timeline.c.id)).all()
    return rollbacks.decided_of(rows)
