"""The intake upserts, the hot path: the open incident of a group and its alerts.

On PostgreSQL a firing batch costs one statement: the incident upsert and the alert upsert run
as two data-modifying CTEs, and the alerts travel as a single JSON array unpacked by
`jsonb_to_recordset`, so the statement text never changes with the number of alerts (psycopg
prepares it once) and no per-row parameter is adapted in Python. SQLite, the embedded default,
runs the same upserts as two statements.
"""

import json
from dataclasses import dataclass

import sqlalchemy as sa
from psycopg.types.json import Jsonb
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import psycopg

from settings.logs import REQUEST_ID
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
    "generator_url text, starts_at timestamptz, ends_at timestamptz"
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
SELECT {{incident_id}}, {", ".join(f"t.{c}" for c in COLUMNS)}, :now, :now, 1, :token, :token
FROM {{incident_from}}jsonb_to_recordset(:rows) AS t({RECORD})
ON CONFLICT (incident_id, fingerprint) DO UPDATE SET
    received_count = alerts.received_count + 1, last_seen = excluded.last_seen, status = excluded.status,
    severity = excluded.severity, summary = excluded.summary, labels = excluded.labels,
    annotations = excluded.annotations, ends_at = excluded.ends_at,
    change_token = CASE WHEN alerts.status <> excluded.status THEN excluded.change_token
                        ELSE alerts.change_token END
RETURNING {", ".join(RETURNED)}
"""


def _typed(sql: str) -> sa.TextClause:
    return sa.text(sql).bindparams(
        sa.bindparam("policy", type_=incidents.c.policy.type), sa.bindparam("now", type_=Time)
    )


# The alert changes of an incident already numbered go on its timeline in the same statement:
# the wording is incidents.timeline's, passed in (tests/integration/test_one_statement.py holds the
# two paths to the same timeline). A new, not yet numbered incident gets its entries from the caller.
# The actor is the request's source (alertmanager, grafana, pagerduty), bound already for the incident.
_NOTE_CHANGES = """
INSERT INTO timeline (incident_id, at, kind, message, data, actor)
SELECT incident.id, :now, CASE WHEN u.status = 'firing' THEN 'alert_firing' ELSE 'alert_resolved' END,
       CASE WHEN u.status <> 'firing' THEN :resolved_word WHEN u.insert_token = :token THEN :joined_word
            ELSE :refired_word END || ': ' || u.summary,
       jsonb_strip_nulls(jsonb_build_object('fingerprint', u.fingerprint, 'request_id', CAST(:request_id AS text))),
       :source
FROM incident JOIN upserted AS u ON u.insert_token = :token OR u.change_token = :token
WHERE incident.number IS NOT NULL
ORDER BY u.fingerprint
"""

_STORE_RAW = """
INSERT INTO raw_requests (source, received_at, body, remote_addr, user_agent)
VALUES (:source, :now, :body, :remote_addr, :user_agent) RETURNING id
"""


def _firing_statement(*, with_raw: bool) -> sa.TextClause:
    """Open or join the incident, upsert its alerts, note their changes (and store the raw request)."""
    raw = f"raw AS ({_STORE_RAW}), " if with_raw else ""
    statement = _typed(f"""
WITH {raw}incident AS ({_OPEN_INCIDENT}),
upserted AS ({_UPSERT_ALERTS.format(incident_id="incident.id", incident_from="incident, ")}),
noted AS ({_NOTE_CHANGES})
SELECT {"(SELECT id FROM raw)" if with_raw else "NULL"} AS raw_id, incident.id, incident.number, incident.severity,
       incident.open_token, {", ".join(RETURNED)}
FROM incident LEFT JOIN upserted ON true
""")
    return statement.bindparams(sa.bindparam("body", type_=sa.LargeBinary)) if with_raw else statement


OPEN_INCIDENT = _typed(_OPEN_INCIDENT)  # both databases: the ON CONFLICT syntax is the same
POSTGRES_UPSERT = sa.text(_UPSERT_ALERTS.format(incident_id=":incident_id", incident_from="")).bindparams(
    sa.bindparam("now", type_=Time)
)
# Each locks the incident row first, then the alert rows: the order every writer of a group follows.
POSTGRES_FIRING = _firing_statement(with_raw=False)
POSTGRES_REQUEST = _firing_statement(with_raw=True)


# The firing statements run as driver SQL, compiled once: per execution, SQLAlchemy's compile-cache
# lookup and bind processing cost ~0.15 ms of CPU, 6% of a request (open_and_upsert adapts the JSON).
_DRIVER_FIRING, _DRIVER_REQUEST = (
    statement.compile(dialect=psycopg.dialect()).string for statement in (POSTGRES_FIRING, POSTGRES_REQUEST)
)


@dataclass(frozen=True)
class Upserted:
    """What the firing upsert did: the incident row (id, number, severity, open_token), the alert rows
    as `upsert` returns them, whether their changes are on the timeline, and the raw request's id."""

    incident: sa.Row
    alerts: list
    noted: bool
    raw_id: int | None = None


def open_and_upsert(
    conn, incident: dict, rows: list[dict], *, now, token: int, words: dict, raw: dict | None = None
) -> Upserted:
    """Open or join the group's incident (`incident`: OPEN_INCIDENT's values) and upsert its alerts.

    On PostgreSQL one statement, which also notes the alert changes of a numbered incident with
    `words` (timeline wording by change kind) and, given `raw` (source, body, remote_addr,
    user_agent), stores the raw request: alone in autocommit, it is a whole request's transaction.
    """
    params = {**incident, "now": now, "token": token, "request_id": REQUEST_ID.get()}
    if conn.dialect.name != "postgresql":
        if raw is not None:
            raise ValueError("the raw request goes in the same statement on PostgreSQL only")
        opened = conn.execute(OPEN_INCIDENT, params).one()
        return Upserted(opened, upsert(conn, opened.id, rows, now=now, token=token), noted=False)
    statement = _DRIVER_FIRING if raw is None else _DRIVER_REQUEST
    joined = conn.exec_driver_sql(
        statement,
        {
            **params,
            **(raw or {}),
            "policy": Jsonb(params["policy"]),
            "rows": _json(rows),
            **{f"{kind}_word": word for kind, word in words.items()},
        },
    ).all()
    first = joined[0]
    return Upserted(
        first, sorted(joined, key=lambda row: row.fingerprint), noted=first.number is not None, raw_id=first.raw_id
    )


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
                    **row,
                    "incident_id": incident_id,
                    "first_seen": now,
                    "last_seen": now,
                    "received_count": 1,
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
            "received_count": alerts.c.received_count + 1,
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
