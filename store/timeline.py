"""The incident timeline: append-only."""
from datetime import datetime

from store.tables import timeline


def append_timeline(conn, incident_id: int, entries, now: datetime) -> None:
    """Append entries to an incident's timeline (never updated, never deleted)."""
    if entries:
        conn.execute(timeline.insert(), [
            {"incident_id": incident_id, "at": now, "kind": e.kind, "message": e.message, "data": e.data}
            for e in entries
        ])
