"""Applying what the inbox's consumer folded: dedup and grouping by database guarantees, never
read-then-write.

Each batch locks its incident row first (the upsert), then touches only that incident's alert
rows, in fingerprint order, so there are no duplicate incidents. What the upsert leaves to do
(number, open, escalate, raise, resolve, the timeline) is store/catch_up.py's, in the same
transaction; one batch on its way in is a store.recording.Recording.
"""

import logging
from datetime import datetime

import sqlalchemy as sa

from incidents import escalation
from incidents.alerts import AlertBatch
from incidents.services import Catalog
from store import alert_rows
from store import escalation as escalation_store
from store.recording import BatchOutcome, Recording, group_hash
from store.tables import OPEN, Time, incidents

log = logging.getLogger(__name__)


def apply_step(conn, step, *, catalog: Catalog, now: datetime) -> BatchOutcome:
    """Apply one folded step (incidents.folding.Step) to its group, inside the caller's transaction."""
    if step.batch is not None:
        return record_batch(conn, step.batch, catalog=catalog, source=step.source, now=now)
    service_name, group_key = step.group
    return acknowledge_group(
        conn, service_name=service_name, group_key=group_key, catalog=catalog, now=now, by=step.source
    )


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
        recording.land(alert_rows.Upserted(incident, rows))
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
