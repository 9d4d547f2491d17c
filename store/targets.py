"""The claim of incidents whose time target or status update is due (commands.targets sweeps them),
and the breach counts the metrics read."""

from datetime import datetime

import sqlalchemy as sa

from store import escalation as escalation_store
from store.tables import incident_lifecycle, incidents, timeline


def claim_due(conn, now: datetime, limit: int) -> list:
    """Incidents whose lifecycle is due, their rows locked; incidents another transaction holds are skipped."""
    query = (
        sa.select(*escalation_store.STATE_COLUMNS)
        .join(incident_lifecycle, incident_lifecycle.c.incident_id == incidents.c.id)
        .where(incident_lifecycle.c.due_at <= now)
        .order_by(incident_lifecycle.c.due_at)
        .limit(limit)
        .with_for_update(of=incidents, skip_locked=True, key_share=True)
    )
    return conn.execute(query).all()


def breach_counts(conn) -> list[tuple[str, str, int]]:
    """(target, severity, breaches) over every incident ever: the timeline is append-only, so a count
    never goes down (a Prometheus counter read at scrape time, the same from every process)."""
    target, severity = timeline.c.data["target"].as_string(), timeline.c.data["severity"].as_string()
    query = sa.select(target, severity, sa.func.count()).where(timeline.c.kind == "breach").group_by(target, severity)
    return [(t, s or "", n) for t, s, n in conn.execute(query)]
