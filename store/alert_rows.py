"""The intake upserts: the open incident of a group and its alerts.

The incident upsert opens the group's incident or joins it, locking its row; the alert upsert then
touches only that incident's alert rows. On PostgreSQL the alerts travel as a single JSON array
unpacked by `jsonb_to_recordset`, so the statement text never changes with the number of alerts
(psycopg prepares it once); SQLite runs the same upsert with executemany.
"""

import json
from dataclasses import dataclass

import sqlalchemy as sa
from psycopg.types.json import Jsonb
from sqlalchemy.dialects import sqlite

from store.tables import Time, alerts, incidents

RETURNED = ("fingerprint", "status", "summary", "insert_token", "change_token")
COLUMNS = (
    "fingerprint",
    "status",
    "severity",
    "summary",
    "labels",
    "annotations",
    "generator_url",
    "starts_at",
    "ends_at",
)
RECORD = (
    "fingerprint text, status text, severity smallint, summary text, labels jsonb, annotations jsonb, "
    "generator_url text, starts_at timestamptz, ends_at timestamptz, times integer"
)

# The predicate is written out so that PostgreSQL infers the partial unique index. A new row gets
# `open_token` = this request's token: that is how the caller tells that it opened the incident.
_OPEN_INCIDENT = """
INSERT INTO incidents (service, group_key, group_hash, status, severity, title, source, opened_at, last_alert_at,
                       alert_events, open_token, policy)
VALUES (:service, :group_key, :group_hash, 'triggered', :severity, :title, :source, :now, :now, :alerts, :token,
        :policy)
ON CONFLICT (service, group_hash) WHERE status <> 'resolved' DO UPDATE SET
    last_alert_at = excluded.last_alert_at, alert_events = incidents.alert_events + excluded.alert_events
RETURNING id, number, severity, open_token
"""

# On conflict the SET expressions read the row as it was: change_token moves only when status does.
_UPSERT_ALERTS = f"""
INSERT INTO alerts (incident_id, {", ".join(COLUMNS)}, first_seen, last_seen, received_count, insert_token,
                    change_token)
SELECT :incident_id, {", ".join(f"t.{c}" for c in COLUMNS)}, :now, :now, t.times, :token, :token
FROM jsonb_to_recordset(:rows) AS t({RECORD})
ON CONFLICT (incident_id, fingerprint) DO UPDATE SET
    received_count = alerts.received_count + excluded.received_count, last_seen = excluded.last_seen,
    status = excluded.status, severity = excluded.severity, summary = excluded.summary, labels = excluded.labels,
    annotations = excluded.annotations, ends_at = excluded.ends_at,
    change_token = CASE WHEN alerts.status <> excluded.status THEN excluded.change_token
                        ELSE alerts.change_token END
RETURNING {", ".join(RETURNED)}
"""


# Folded repeats (incidents.folding) count: `times` is how many times the alert came in the batch.
OPEN_INCIDENT = sa.text(_OPEN_INCIDENT).bindparams(
    sa.bindparam("policy", type_=incidents.c.policy.type), sa.bindparam("now", type_=Time)
)
POSTGRES_UPSERT = sa.text(_UPSERT_ALERTS).bindparams(sa.bindparam("now", type_=Time))


@dataclass(frozen=True)
class Upserted:
    """What the firing upsert did: the incident row (id, number, severity, open_token) and the alert
    rows as `upsert` returns them."""

    incident: sa.Row
    alerts: list


def open_and_upsert(conn, incident: dict, rows: list[dict], *, now, token: int) -> Upserted:
    """Open or join the group's incident (`incident`: OPEN_INCIDENT's values), then upsert its alerts."""
    opened = conn.execute(OPEN_INCIDENT, {**incident, "now": now, "token": token}).one()
    return Upserted(opened, upsert(conn, opened.id, rows, now=now, token=token))


def upsert(conn, incident_id: int, rows: list[dict], *, now, token: int) -> list:
    """Insert or update the rows (dicts of COLUMNS); returns RETURNED for each, in fingerprint order."""
    if conn.dialect.name == "postgresql":
        result = conn.execute(
            POSTGRES_UPSERT, {"incident_id": incident_id, "now": now, "token": token, "rows": _json(rows)}
        )
    else:
        result = conn.execute(
            _sqlite_upsert(),
            [
                {
                    **{name: row[name] for name in COLUMNS},
                    "incident_id": incident_id,
                    "first_seen": now,
                    "last_seen": now,
                    "received_count": row["times"],
                    "insert_token": token,
                    "change_token": token,
                }
                for row in rows
            ],
        )
    return sorted(result.all(), key=lambda row: row.fingerprint)


def _json(rows: list[dict]) -> Jsonb:
    """The rows as one JSON array for jsonb_to_recordset: times in ISO 8601, which it parses."""
    return Jsonb(rows, dumps=_dumps)


def _dumps(value) -> str:
    return json.dumps(value, default=lambda time: time.isoformat(), separators=(",", ":"))


def _sqlite_upsert():
    stmt = sqlite.insert(alerts)
    new = stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=[alerts.c.incident_id, alerts.c.fingerprint],
        set_={
            "received_count": alerts.c.received_count + new.received_count,
            "last_seen": new.last_seen,
            "status": new.status,
            "severity": new.severity,
            "summary": new.summary,
            "labels": new.labels,
            "annotations": new.annotations,
            "ends_at": new.ends_at,
            "change_token": sa.case((alerts.c.status != new.status, new.change_token), else_=alerts.c.change_token),
        },
    ).returning(*(alerts.c[name] for name in RETURNED))
