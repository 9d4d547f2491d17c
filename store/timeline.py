"""The incident timeline: append-only."""

from datetime import datetime

import sqlalchemy as sa
from psycopg.types.json import Jsonb

from settings.logs import REQUEST_ID
from store.tables import Time, timeline

# On PostgreSQL the entries go as one JSON array, in one statement of one shape (prepared once),
# in their order; psycopg's executemany costs a pipeline round of its own.
_APPEND = sa.text("""
INSERT INTO timeline (incident_id, at, kind, message, data, actor)
SELECT :incident_id, :at, t.kind, t.message, t.data, :actor
FROM ROWS FROM (jsonb_to_recordset(:entries) AS (kind text, message text, data jsonb)) WITH ORDINALITY
     AS t(kind, message, data, n)
ORDER BY t.n
""").bindparams(sa.bindparam("at", type_=Time))


def append_timeline(conn, incident_id: int, entries, now: datetime, *, actor: str = "system") -> None:
    """Append entries to an incident's timeline (never updated, never deleted), done by `actor`; those a
    request writes carry its id in `data.request_id`, as its log lines do."""
    if not entries:
        return
    request_id = REQUEST_ID.get()
    rows = [{"kind": e.kind, "message": e.message, "data": _with_request_id(e.data, request_id)} for e in entries]
    if conn.dialect.name == "postgresql":
        conn.execute(_APPEND, {"incident_id": incident_id, "at": now, "entries": Jsonb(rows), "actor": actor})
    else:
        conn.execute(
            timeline.insert(), [{"incident_id": incident_id, "at": now, "actor": actor, **row} for row in rows]
        )


def append_one(conn, incident_id: int, entry, now: datetime, *, actor: str) -> int:
    """Append one entry and return its id (a note, which may be pinned next)."""
    data = _with_request_id(entry.data, REQUEST_ID.get())
    values = {"incident_id": incident_id, "at": now, "kind": entry.kind, "message": entry.message, "data": data}
    return conn.execute(timeline.insert().values(actor=actor, **values).returning(timeline.c.id)).scalar_one()


# Entries of many incidents, each with its own time, in one statement (a delivery batch's outcomes).
_APPEND_MANY = sa.text("""
INSERT INTO timeline (incident_id, at, kind, message, data)
SELECT t.incident_id, t.at, t.kind, t.message, t.data
FROM ROWS FROM (jsonb_to_recordset(:entries)
     AS (incident_id bigint, at timestamptz, kind text, message text, data jsonb)) WITH ORDINALITY
     AS t(incident_id, at, kind, message, data, n)
ORDER BY t.n
""")


def append_entries(conn, entries: list[tuple[int, datetime, object]]) -> None:
    """Append (incident id, time, Entry) rows, of any number of incidents, in one statement."""
    if not entries:
        return
    rows = [
        {"incident_id": incident_id, "at": at, "kind": e.kind, "message": e.message, "data": e.data}
        for incident_id, at, e in entries
    ]
    if conn.dialect.name == "postgresql":
        conn.execute(_APPEND_MANY, {"entries": Jsonb([row | {"at": row["at"].isoformat()} for row in rows])})
    else:
        conn.execute(timeline.insert(), rows)


def _with_request_id(data, request_id: str | None):
    # The request id is context, not a collaborator: it arrives through settings.logs.REQUEST_ID, set
    # for the length of an HTTP request, so that no store function needs one more argument for it.
    if request_id is None:
        return data
    return {**(data or {}), "request_id": request_id}
