"""The alert upsert, the hot path of intake: one statement per batch.

On PostgreSQL it is one fixed-shape `INSERT ... SELECT FROM unnest(arrays)`, so the statement text
never changes with the number of alerts: psycopg caches and prepares it, and the database plans it
once. SQLite, the embedded default, gets the same upsert as a multi-row insert.
"""
import sqlalchemy as sa
from psycopg.types.json import Jsonb
from sqlalchemy.dialects import sqlite

from store.tables import alerts

RETURNED = ("fingerprint", "status", "summary", "insert_token", "change_token")
COLUMNS = ("fingerprint", "status", "severity", "summary", "labels", "annotations", "generator_url", "starts_at",
           "ends_at")
ARRAY_TYPES = ("text", "text", "smallint", "text", "jsonb", "jsonb", "text", "timestamptz", "timestamptz")

# On conflict the SET expressions read the row as it was: change_token moves only when status does.
POSTGRES_UPSERT = sa.text(f"""
INSERT INTO alerts (incident_id, {", ".join(COLUMNS)}, first_seen, last_seen, received_count, insert_token,
                    change_token)
SELECT :incident_id, {", ".join(f"t.{c}" for c in COLUMNS)}, :now, :now, 1, :token, :token
FROM unnest({", ".join(f"CAST(:{c} AS {kind}[])" for c, kind in zip(COLUMNS, ARRAY_TYPES))})
     AS t({", ".join(COLUMNS)})
ON CONFLICT (incident_id, fingerprint) DO UPDATE SET
    received_count = alerts.received_count + 1, last_seen = excluded.last_seen, status = excluded.status,
    severity = excluded.severity, summary = excluded.summary, labels = excluded.labels,
    annotations = excluded.annotations, ends_at = excluded.ends_at,
    change_token = CASE WHEN alerts.status <> excluded.status THEN excluded.change_token
                        ELSE alerts.change_token END
RETURNING {", ".join(RETURNED)}
""")


def upsert(conn, incident_id: int, rows: list[dict], *, now, token: int) -> list:
    """Insert or update the rows (dicts of COLUMNS); returns RETURNED for each, in fingerprint order."""
    if conn.dialect.name == "postgresql":
        params = {c: [row[c] for row in rows] for c in COLUMNS}
        params["labels"] = [Jsonb(value) for value in params["labels"]]
        params["annotations"] = [Jsonb(value) for value in params["annotations"]]
        result = conn.execute(POSTGRES_UPSERT, {**params, "incident_id": incident_id, "now": now, "token": token})
    else:
        result = conn.execute(_sqlite_upsert(), [
            {**row, "incident_id": incident_id, "first_seen": now, "last_seen": now, "received_count": 1,
             "insert_token": token, "change_token": token} for row in rows])
    return sorted(result.all(), key=lambda row: row.fingerprint)


def _sqlite_upsert():
    stmt = sqlite.insert(alerts)
    new = stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=[alerts.c.incident_id, alerts.c.fingerprint],
        set_={
            "received_count": alerts.c.received_count + 1, "last_seen": new.last_seen, "status": new.status,
            "severity": new.severity, "summary": new.summary, "labels": new.labels,
            "annotations": new.annotations, "ends_at": new.ends_at,
            "change_token": sa.case((alerts.c.status != new.status, new.change_token), else_=alerts.c.change_token),
        },
    ).returning(*(alerts.c[name] for name in RETURNED))
