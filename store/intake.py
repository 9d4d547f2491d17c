"""Recording a request's alerts: dedup and grouping by database guarantees, never read-then-write.

Each batch locks its incident row first (the upsert), then touches only that incident's alert
rows, in fingerprint order: concurrent requests for one group queue on that row and requests
for different groups never meet, so there are no deadlocks and no duplicate incidents. What the
upsert leaves to do (number, open, escalate, raise, resolve) is store/catch_up.py's; one batch on its
way in is a store.recording.Recording.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from incidents import escalation
from incidents.alerts import AlertBatch
from incidents.services import Catalog
from store import alert_rows
from store import escalation as escalation_store
from store.recording import BatchOutcome, Recording, group_hash
from store.tables import OPEN, Time, incidents, raw_requests

log = logging.getLogger(__name__)


@dataclass
class RequestOutcome:
    raw_request_id: int
    batches: list[BatchOutcome] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(batch, name) for batch in self.batches)

    @property
    def applied(self) -> list:
        return [decision for batch in self.batches for decision in batch.applied]


def record_request(
    engine: sa.Engine,
    *,
    source: str,
    body: bytes,
    batches: list[AlertBatch],
    catalog: Catalog,
    now: datetime,
    remote_addr: str = "",
    user_agent: str = "",
    acknowledge: tuple[tuple[str, str], ...] = (),
) -> RequestOutcome:
    """Store the raw request, its alerts and acknowledgements; return what changed.

    The usual request, one firing batch on PostgreSQL, is one statement in autocommit: raw body,
    incident, alerts and their timeline entries. What that leaves behind (the incident is new, its
    severity rose, it is not numbered yet) the same request then catches up in a transaction of its
    own; should it die in between, the next request of the group, or the beat's sweep, does it.
    Every other request is one transaction.
    """
    raw = {"source": source, "body": body, "remote_addr": remote_addr[:64], "user_agent": user_agent[:256]}
    if engine.dialect.name == "postgresql" and len(batches) == 1 and batches[0].firing and not acknowledge:
        return _record_in_one_statement(engine, raw, batches[0], catalog=catalog, now=now)
    with engine.begin() as conn:
        raw_id = _store_raw_request(conn, now=now, **raw)
        return RequestOutcome(
            raw_id, record_batches(conn, batches, catalog=catalog, source=source, now=now, acknowledge=acknowledge)
        )


def _record_in_one_statement(engine, raw: dict, batch: AlertBatch, *, catalog: Catalog, now) -> RequestOutcome:
    recording = Recording(batch, catalog.service(batch.service), raw["source"])
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        recording.upsert(conn, now, raw=raw)
    if not recording.behind:
        return RequestOutcome(recording.upserted.raw_id, [recording.outcome()])
    try:
        with engine.begin() as conn:
            return RequestOutcome(recording.upserted.raw_id, [recording.catch_up(conn, catalog=catalog, now=now)])
    except sa.exc.OperationalError as error:
        # The alerts are stored: a 503 now would make the sender send them again (tests/faults
        # counted the double). The beat's sweep catches the incident up, as if this request had died.
        log.warning(
            "incident %s stored, its catch-up left to the sweep: %s", recording.upserted.incident.id, error.orig
        )
        return RequestOutcome(recording.upserted.raw_id, [recording.outcome()])


def record_batches(
    conn,
    batches: list[AlertBatch],
    *,
    catalog: Catalog,
    source: str,
    now: datetime,
    acknowledge: tuple[tuple[str, str], ...] = (),
) -> list["BatchOutcome"]:
    """Record alert batches and acknowledgements inside the caller's transaction."""
    outcomes = [record_batch(conn, batch, catalog=catalog, source=source, now=now) for batch in batches]
    for service_name, group_key in acknowledge:
        outcomes.append(
            acknowledge_group(conn, service_name=service_name, group_key=group_key, catalog=catalog, now=now, by=source)
        )
    return outcomes


STORE_RAW_REQUEST = raw_requests.insert().returning(raw_requests.c.id)  # built once: it runs on every request


def _store_raw_request(conn, *, source, body, now, remote_addr="", user_agent="") -> int:
    """Append the request as received, for audit and `incidents replay` (record_request cut the
    address and user agent to their columns)."""
    return conn.execute(
        STORE_RAW_REQUEST,
        {"source": source, "received_at": now, "body": body, "remote_addr": remote_addr, "user_agent": user_agent},
    ).scalar_one()


def record_batch(conn, batch: AlertBatch, *, catalog: Catalog, source: str, now: datetime) -> BatchOutcome:
    """Dedup and group one batch into its incident, escalating as it opens, rises or resolves."""
    recording = Recording(batch, catalog.service(batch.service), source)
    if batch.firing:
        recording.upsert(conn, now)
    else:
        incident = _lock_open_incident(conn, batch.service, batch.group_key)
        if incident is None:
            return BatchOutcome(None, ignored=len(batch.alerts))
        if batch.alerts:  # the upsert counts firing batches; count this one too
            conn.execute(_COUNT_EVENTS, {"incident_id": incident.id, "at": now, "events": len(batch.alerts)})
        rows = recording.rows and alert_rows.upsert(conn, incident.id, recording.rows, now=now, token=recording.token)
        recording.land(alert_rows.Upserted(incident, rows, noted=False))
    return recording.catch_up(conn, catalog=catalog, now=now) if recording.behind else recording.outcome()


def acknowledge_group(
    conn, *, service_name: str, group_key: str, catalog: Catalog, now: datetime, by: str
) -> BatchOutcome:
    """Acknowledge the open incident of a group (PagerDuty `acknowledge` events)."""
    incident = _lock_open_incident(conn, service_name, group_key)
    if incident is None:
        return BatchOutcome(None)
    row = escalation_store.lock(conn, incident_id=incident.id)
    step = escalation.acknowledge(
        escalation_store.plan_of(row), escalation_store.state_of(row), now, by=f"{by} (Events API)"
    )
    applied = escalation_store.apply(conn, row, step, catalog=catalog, now=now, actor=by)
    return BatchOutcome(row.number, applied=[applied])


def _lock_open_incident(conn, service_name, group_key):
    return conn.execute(_LOCK_OPEN, {"service": service_name, "group_hash": group_hash(group_key)}).first()


# Built once, as every statement on the intake path: building one costs more than running it.
_LOCK_OPEN = (
    sa.select(incidents.c.id, incidents.c.number, incidents.c.severity, incidents.c.open_token)
    .where(incidents.c.service == sa.bindparam("service"), incidents.c.group_hash == sa.bindparam("group_hash"), OPEN)
    .with_for_update(key_share=True)
)
_COUNT_EVENTS = (
    incidents.update()
    .where(incidents.c.id == sa.bindparam("incident_id"))
    .values(
        last_alert_at=sa.bindparam("at", type_=Time), alert_events=incidents.c.alert_events + sa.bindparam("events")
    )
)
