"""Recording a request's alerts: dedup and grouping by database guarantees, never read-then-write.

Each batch locks its incident row first (the upsert), then touches only that incident's alert
rows, in fingerprint order: concurrent requests for one group queue on that row and requests
for different groups never meet, so there are no deadlocks and no duplicate incidents. What the
upsert leaves to do (number, open, escalate, raise, resolve) is store/catch_up.py's.
"""

import hashlib
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from incidents import escalation
from incidents import timeline as timeline_rules
from incidents.alerts import FIRING, AlertBatch
from incidents.services import Catalog
from store import alert_rows
from store import escalation as escalation_store
from store.catch_up import catch_up
from store.tables import OPEN, Time, incidents, raw_requests

log = logging.getLogger(__name__)


@dataclass
class BatchOutcome:
    """What one batch did: the incident it went to and how many alerts were new, changed or repeats."""

    incident_number: int | None
    opened: bool = False
    resolved: bool = False
    new: int = 0
    changed: int = 0
    repeats: int = 0
    ignored: int = 0
    applied: list = field(default_factory=list)  # escalation decisions for the workers


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
    recording = _Recording(batch, catalog.service(batch.service), raw["source"])
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
    recording = _Recording(batch, catalog.service(batch.service), source)
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


class _Recording:
    """One batch on its way in: its rows and token; once upserted (`land`), what changed and what the
    upsert left to catch up."""

    def __init__(self, batch: AlertBatch, service, source: str):
        self.batch, self.service, self.source = batch, service, source
        self.token = random.getrandbits(62)
        severities = {alert.fingerprint: service.severity.severity_of(alert.labels) for alert in batch.alerts}
        self.rows = [_alert_row(alert, severities[alert.fingerprint]) for alert in batch.alerts]
        firing = [severities[a.fingerprint] for a in batch.alerts if a.status == FIRING]
        self.severity = min(firing) if firing else None  # the highest severity firing (SEV1 < SEV2)

    def upsert(self, conn, now, raw: dict | None = None) -> None:
        self.land(
            alert_rows.open_and_upsert(
                conn,
                _incident_values(self.batch, self.service, self.source, self.severity),
                self.rows,
                now=now,
                token=self.token,
                words=timeline_rules.ALERT_WORDS,
                raw=raw,
            )
        )

    def land(self, upserted: alert_rows.Upserted) -> None:
        """Take the upsert's rows: the alerts this batch inserted or moved, and the repeats."""
        self.upserted, self.changes, self.repeats = upserted, [], 0
        for row in upserted.alerts:
            kind = _alert_change_kind(row, self.token)
            if kind is None:
                self.repeats += 1
            else:
                self.changes.append(timeline_rules.AlertChange(kind, row.fingerprint, row.summary))

    @property
    def behind(self) -> bool:
        """Whether the upsert left work: number, opening, severity rise, unnoted changes, resolution."""
        incident = self.upserted.incident
        return (
            incident.number is None
            or self.batch.group_resolved
            or (self.severity is not None and self.severity < incident.severity)
            or (not self.upserted.noted and bool(self.changes))
        )

    def outcome(self, *, opened=False, closed=False, number=None, extra=(), applied=()) -> BatchOutcome:
        changes = [*self.changes, *extra]
        return BatchOutcome(
            number or self.upserted.incident.number,
            opened,
            closed,
            new=sum(c.kind == "joined" for c in changes),
            changed=sum(c.kind != "joined" for c in changes),
            repeats=self.repeats,
            applied=list(applied),
        )

    def catch_up(self, conn, *, catalog: Catalog, now: datetime) -> BatchOutcome:
        """What the upsert left behind, under the incident's lock (store.catch_up)."""
        caught = catch_up(
            conn,
            self.upserted.incident.id,
            service=self.service.name,
            severity=self.severity,
            unnoted=[] if self.upserted.noted else self.changes,
            resolve_group=self.batch.group_resolved,
            token=self.token,
            catalog=catalog,
            now=now,
        )
        return self.outcome(
            opened=caught.opened,
            closed=caught.closed,
            number=caught.number,
            extra=caught.resolved,
            applied=[caught.decision] if caught.decision else [],
        )


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
    return BatchOutcome(row.number, applied=[escalation_store.apply(conn, row, step, catalog=catalog, now=now)])


def _incident_values(batch, service, source, severity) -> dict:
    """What a new incident for the batch starts with (alert_rows.OPEN_INCIDENT's values)."""
    title = next(a.summary for a in batch.alerts if a.status == FIRING)
    return {
        "service": service.name,
        "group_key": batch.group_key,
        "group_hash": group_hash(batch.group_key),
        "severity": int(severity),
        "title": title[:1024],
        "source": source,
        "alerts": len(batch.alerts),
        "policy": service.plan_data,
    }


def group_hash(group_key: str) -> str:
    """The key of the open-incident index: group keys can be longer than an index entry allows."""
    return hashlib.sha256(group_key.encode("utf-8")).hexdigest()


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


def _alert_change_kind(row, token):
    if row.insert_token == token:
        return "joined" if row.status == FIRING else "resolved"
    if row.change_token == token:
        return "refired" if row.status == FIRING else "resolved"
    return None


def _alert_row(alert, severity):
    return {
        "fingerprint": alert.fingerprint,
        "status": alert.status,
        "severity": int(severity),
        "summary": alert.summary[:1024],
        "labels": alert.labels,
        "annotations": alert.annotations,
        "generator_url": alert.generator_url,
        "starts_at": alert.starts_at,
        "ends_at": alert.ends_at,
    }
