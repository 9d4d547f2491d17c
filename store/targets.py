"""The claim of incidents whose time target or status update is due (commands.targets sweeps them),
and the breach counts the metrics read."""

from datetime import datetime

import sqlalchemy as sa

from store import escalation as escalation_store
from store.tables import incident_lifecycle, timeline


def claim_due(conn, now: datetime, limit: int) -> list:
    """Incidents whose lifecycle (a target, a status update) is due (store.escalation.claim)."""
    due = incident_lifecycle.c.due_at
    return escalation_store.claim(conn, when=due <= now, order=due, limit=limit, join=incident_lifecycle)


def breach_counts(conn) -> list[tuple[str, str, int]]:
    """(target, severity, breaches) over every incident ever: the timeline is append-only, so a count
    never goes down (a Prometheus counter read at scrape time, the same from every process)."""
    target, severity = timeline.c.data["target"].as_string(), timeline.c.data["severity"].as_string()
    query = sa.select(target, severity, sa.func.count()).where(timeline.c.kind == "breach").group_by(target, severity)
    return [(t, s or "", n) for t, s, n in conn.execute(query)]
