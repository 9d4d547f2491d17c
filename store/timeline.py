"""The incident timeline: append-only."""

from datetime import datetime

import sqlalchemy as sa
from psycopg.types.json import Jsonb

from settings.logs import REQUEST_ID
from store.tables import Time, timeline

# On PostgreSQL the entries go as one JSON array, in one statement of one shape (prepared once),
# in their order; psycopg's executemany costs a pipeline round of its own.
_APPEND = sa.text("""
INSERT INTO timeline (incident_id, at, kind, message, data)
SELECT :incident_id, :at, t.kind, t.message, t.data
FROM ROWS FROM (jsonb_to_recordset(:entries) AS (kind text, message text, data jsonb)) WITH ORDINALITY
     AS t(kind, message, data, n)
ORDER BY t.n
""").bindparams(sa.bindparam("at", type_=Time))


def append_timeline(conn, incident_id: int, entries, now: datetime) -> None:
    """Append entries to an incident's timeline (never updated, never deleted); those a request writes
    carry its id in `data.request_id`, as its log lines do."""
    if not entries:
        return
    request_id = REQUEST_ID.get()
    rows = [{"kind": e.kind, "message": e.message, "data": _with_request_id(e.data, request_id)} for e in entries]
    if conn.dialect.name == "postgresql":
        conn.execute(_APPEND, {"incident_id": incident_id, "at": now, "entries": Jsonb(rows)})
    else:
        conn.execute(timeline.insert(), [{"incident_id": incident_id, "at": now, **row} for row in rows])


def _with_request_id(data, request_id: str | None):
    # The request id is context, not a collaborator: it arrives through settings.logs.REQUEST_ID, set
    # for the length of an HTTP request, so that no store function needs one more argument for it.
    if request_id is None:
        return data
    return {**(data or {}), "request_id": request_id}
