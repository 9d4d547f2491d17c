"""Recording a request's alerts: dedup and grouping by database guarantees, never read-then-write.

Each batch locks its incident row first (the upsert), then touches only that incident's alert
rows, in fingerprint order: concurrent requests for one group queue on that row and requests
for different groups never meet, so there are no deadlocks and no duplicate incidents.
"""
import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from incidents import escalation
from incidents import timeline as timeline_rules
from incidents.alerts import FIRING, RESOLVED, AlertBatch
from incidents.services import Catalog
from incidents.severity import Severity
from store import alert_rows
from store import escalation as escalation_store
from store.tables import Time, alerts, incident_numbers, incidents, raw_requests
from store.timeline import append_timeline

OPEN = sa.text("status <> 'resolved'")  # literal, so PostgreSQL infers the partial unique index


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


def record_request(engine: sa.Engine, *, source: str, body: bytes, batches: list[AlertBatch],
                   catalog: Catalog, now: datetime, remote_addr: str = "", user_agent: str = "",
                   acknowledge: tuple[tuple[str, str], ...] = ()) -> RequestOutcome:
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
        raw_id = store_raw_request(conn, now=now, **raw)
        return RequestOutcome(raw_id, record_batches(conn, batches, catalog=catalog, source=source, now=now,
                                                     acknowledge=acknowledge))


def _record_in_one_statement(engine, raw: dict, batch: AlertBatch, *, catalog: Catalog, now) -> RequestOutcome:
    recording = _Recording(batch, catalog.service(batch.service), raw["source"])
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        upserted = recording.upsert(conn, now, raw=raw)
    outcome = recording.outcome(upserted)
    if recording.behind(upserted):
        with engine.begin() as conn:
            outcome = recording.catch_up(conn, upserted, catalog=catalog, now=now)
    return RequestOutcome(upserted.raw_id, [outcome])


def record_batches(conn, batches: list[AlertBatch], *, catalog: Catalog, source: str, now: datetime,
                   acknowledge: tuple[tuple[str, str], ...] = ()) -> list["BatchOutcome"]:
    """Record alert batches and acknowledgements inside the caller's transaction."""
    outcomes = [record_batch(conn, batch, catalog=catalog, source=source, now=now) for batch in batches]
    for service_name, group_key in acknowledge:
        outcomes.append(acknowledge_group(conn, service_name=service_name, group_key=group_key, catalog=catalog,
                                          now=now, by=source))
    return outcomes


STORE_RAW_REQUEST = raw_requests.insert().returning(raw_requests.c.id)  # built once: it runs on every request


def store_raw_request(conn, *, source, body, now, remote_addr="", user_agent="") -> int:
    """Append the request as received, for audit and `incidents replay`."""
    return conn.execute(STORE_RAW_REQUEST, {
        "source": source, "received_at": now, "body": body, "remote_addr": remote_addr[:64],
        "user_agent": user_agent[:256]}).scalar_one()


def record_batch(conn, batch: AlertBatch, *, catalog: Catalog, source: str, now: datetime) -> BatchOutcome:
    """Dedup and group one batch into its incident, escalating as it opens, rises or resolves."""
    recording = _Recording(batch, catalog.service(batch.service), source)
    if batch.firing:
        upserted = recording.upsert(conn, now)
    else:
        incident = _lock_open_incident(conn, batch.service, batch.group_key)
        if incident is None:
            return BatchOutcome(None, ignored=len(batch.alerts))
        if batch.alerts:  # the upsert counts firing batches; count this one too
            conn.execute(_COUNT_EVENTS, {"incident_id": incident.id, "at": now, "events": len(batch.alerts)})
        rows = recording.rows and alert_rows.upsert(conn, incident.id, recording.rows, now=now, token=recording.token)
        upserted = alert_rows.Upserted(incident, rows, noted=False)
    if recording.behind(upserted):
        return recording.catch_up(conn, upserted, catalog=catalog, now=now)
    return recording.outcome(upserted)


class _Recording:
    """One batch on its way in: its rows and token, and what its upsert leaves to catch up."""

    def __init__(self, batch: AlertBatch, service, source: str):
        self.batch, self.service, self.source = batch, service, source
        self.token = random.getrandbits(62)
        severities = {alert.fingerprint: service.severity.severity_of(alert.labels) for alert in batch.alerts}
        self.rows = [_alert_row(alert, severities[alert.fingerprint]) for alert in batch.alerts]
        firing = [severities[a.fingerprint] for a in batch.alerts if a.status == FIRING]
        self.severity = min(firing) if firing else None  # the highest severity firing (SEV1 < SEV2)

    def upsert(self, conn, now, raw: dict | None = None) -> alert_rows.Upserted:
        return alert_rows.open_and_upsert(conn, _incident_values(self.batch, self.service, self.source, self.severity),
                                          self.rows, now=now, token=self.token, words=timeline_rules.ALERT_WORDS,
                                          raw=raw)

    def behind(self, upserted: alert_rows.Upserted) -> bool:
        """Whether the upsert left work: number, opening, severity rise, unnoted changes, resolution."""
        incident = upserted.incident
        return (incident.number is None or self.batch.group_resolved
                or (self.severity is not None and self.severity < incident.severity)
                or (not upserted.noted and bool(self.changes(upserted)[0])))

    def changes(self, upserted) -> tuple[list, int]:
        """The alerts this batch inserted or moved, and how many were repeats; (changes, repeats)."""
        changes, repeats = [], 0
        for row in upserted.alerts:
            kind = _alert_change_kind(row, self.token)
            if kind is None:
                repeats += 1
            else:
                changes.append(timeline_rules.AlertChange(kind, row.fingerprint, row.summary))
        return changes, repeats

    def outcome(self, upserted, *, opened=False, closed=False, number=None, extra=(), applied=()) -> BatchOutcome:
        changes, repeats = self.changes(upserted)
        changes += extra
        return BatchOutcome(number or upserted.incident.number, opened, closed,
                            new=sum(c.kind == "joined" for c in changes),
                            changed=sum(c.kind != "joined" for c in changes), repeats=repeats, applied=list(applied))

    def catch_up(self, conn, upserted, *, catalog: Catalog, now: datetime) -> BatchOutcome:
        """What the upsert left behind, under the incident's lock (see `catch_up`)."""
        changes, _ = self.changes(upserted)
        caught = catch_up(conn, upserted.incident.id, service=self.service.name, severity=self.severity,
                          unnoted=[] if upserted.noted else changes, resolve_group=self.batch.group_resolved,
                          token=self.token, catalog=catalog, now=now)
        return self.outcome(upserted, opened=caught.opened, closed=caught.closed, number=caught.number,
                            extra=caught.resolved, applied=[caught.decision] if caught.decision else [])


@dataclass(frozen=True)
class CaughtUp:
    number: int
    opened: bool = False
    closed: bool = False
    resolved: list = field(default_factory=list)  # alerts the resolved group resolved
    decision: escalation_store.Applied | None = None


def catch_up(conn, incident_id: int, *, service: str, severity: Severity | None, unnoted=(),
             resolve_group: bool = False, token: int, catalog: Catalog, now: datetime) -> CaughtUp:
    """Bring an incident up to date with its alerts, under its row lock; doing it twice does nothing.

    A new incident gets its number, "opened" entry and escalation; `severity` (the highest firing in
    the batch) above the incident's raises it; `unnoted` alert changes go on the timeline; a
    resolved group resolves its other alerts and, once none fires, the incident.
    """
    row = escalation_store.lock(conn, incident_id=incident_id)
    # Under the lock: an UPDATE ... WHERE number IS NULL racing another would burn a number.
    opened = row.number is None
    number = _assign_number(conn, row.id) if opened else row.number
    remaining = _resolve_remaining(conn, row.id, now, token) if resolve_group else []
    before = Severity(row.severity)
    after = min(before, severity) if severity is not None else before
    change = timeline_rules.IncidentChange(opened, tuple([*unnoted, *remaining]), before, after)
    append_timeline(conn, row.id, timeline_rules.entries(change, service=service), now)
    if row.status == "resolved":  # resolved by hand since the upsert: its alerts are noted, no more
        return CaughtUp(number, resolved=remaining)
    # Only a resolved group closes: a firing group may hold alerts cut off by `max_alerts`.
    closed = resolve_group and _quiet(conn, row.id)
    decision = _escalate(conn, row, opened=opened, risen=after < before, closed=closed, severity=after,
                         catalog=catalog, now=now)
    return CaughtUp(number, opened, closed, remaining, decision)


# Open incidents a request left behind: not numbered after the grace period, or below the
# severity of a firing alert (incident severity is never lowered, so this means a rise not applied).
_FIRING_SEVERITY = (sa.select(sa.func.min(alerts.c.severity))
                    .where(alerts.c.incident_id == incidents.c.id, alerts.c.status == FIRING).scalar_subquery())


def catch_up_left_behind(engine: sa.Engine, catalog: Catalog, *, now: datetime,
                         grace: timedelta = timedelta(seconds=30)) -> list:
    """The sweep behind the one-statement intake: a request that died between its statement and its
    catch-up (process killed, database gone) left an incident behind; the beat catches it up here."""
    behind = sa.or_(sa.and_(incidents.c.number.is_(None), incidents.c.opened_at < now - grace),
                    incidents.c.severity > _FIRING_SEVERITY)
    query = sa.select(incidents.c.id, incidents.c.service, _FIRING_SEVERITY.label("firing")).where(OPEN, behind)
    decisions = []
    with engine.connect() as conn:
        rows = conn.execute(query.limit(100)).all()
    for row in rows:
        with engine.begin() as conn:
            severity = Severity(row.firing) if row.firing is not None else None
            caught = catch_up(conn, row.id, service=row.service, severity=severity,
                              token=random.getrandbits(62), catalog=catalog, now=now)
        decisions += [caught.decision] if caught.decision else []
    return decisions


def _escalate(conn, row, *, opened, risen, closed, severity, catalog, now):
    """The escalation decision this batch calls for, applied to the locked `row` (or None)."""
    if not (opened or risen or closed):
        return None
    plan, state = escalation_store.plan_of(row), escalation_store.state_of(row)
    if closed:
        step = escalation.resolve(state, now, reason="Incident resolved: all its alerts are resolved")
    elif opened:
        step = escalation.start(plan, severity, now)
    else:
        step = escalation.raise_severity(plan, state, severity, now)
    return escalation_store.apply(conn, row, step, catalog=catalog, now=now)


def acknowledge_group(conn, *, service_name: str, group_key: str, catalog: Catalog, now: datetime,
                      by: str) -> BatchOutcome:
    """Acknowledge the open incident of a group (PagerDuty `acknowledge` events)."""
    incident = _lock_open_incident(conn, service_name, group_key)
    if incident is None:
        return BatchOutcome(None)
    row = escalation_store.lock(conn, incident_id=incident.id)
    step = escalation.acknowledge(escalation_store.plan_of(row), escalation_store.state_of(row), now,
                                  by=f"{by} (Events API)")
    return BatchOutcome(row.number, applied=[escalation_store.apply(conn, row, step, catalog=catalog, now=now)])


def _incident_values(batch, service, source, severity) -> dict:
    """What a new incident for the batch starts with (alert_rows.OPEN_INCIDENT's values)."""
    title = next(a.summary for a in batch.alerts if a.status == FIRING)
    return {"service": service.name, "group_key": batch.group_key, "group_hash": group_hash(batch.group_key),
            "severity": int(severity), "title": title[:1024], "source": source, "alerts": len(batch.alerts),
            "policy": service.plan_data}


def group_hash(group_key: str) -> str:
    """The key of the open-incident index: group keys can be longer than an index entry allows."""
    return hashlib.sha256(group_key.encode("utf-8")).hexdigest()


def _lock_open_incident(conn, service_name, group_key):
    return conn.execute(_LOCK_OPEN, {"service": service_name, "group_hash": group_hash(group_key)}).first()


# Built once, as every statement on the intake path: building one costs more than running it.
_LOCK_OPEN = (sa.select(incidents.c.id, incidents.c.number, incidents.c.severity, incidents.c.open_token)
              .where(incidents.c.service == sa.bindparam("service"),
                     incidents.c.group_hash == sa.bindparam("group_hash"), OPEN)
              .with_for_update())
_COUNT_EVENTS = incidents.update().where(incidents.c.id == sa.bindparam("incident_id")).values(
    last_alert_at=sa.bindparam("at", type_=Time), alert_events=incidents.c.alert_events + sa.bindparam("events"))
_RESOLVE_REMAINING = (alerts.update()
                      .where(alerts.c.incident_id == sa.bindparam("of_incident"), alerts.c.status == FIRING)
                      .values(status=RESOLVED, ends_at=sa.bindparam("at", type_=Time),
                              last_seen=sa.bindparam("at", type_=Time), change_token=sa.bindparam("by_token"))
                      .returning(alerts.c.fingerprint, alerts.c.summary))
_STILL_FIRING = sa.select(sa.exists().where(alerts.c.incident_id == sa.bindparam("incident_id"),
                                            alerts.c.status == FIRING))


def _alert_change_kind(row, token):
    if row.insert_token == token:
        return "joined" if row.status == FIRING else "resolved"
    if row.change_token == token:
        return "refired" if row.status == FIRING else "resolved"
    return None


def _alert_row(alert, severity):
    return {
        "fingerprint": alert.fingerprint, "status": alert.status, "severity": int(severity),
        "summary": alert.summary[:1024], "labels": alert.labels, "annotations": alert.annotations,
        "generator_url": alert.generator_url, "starts_at": alert.starts_at, "ends_at": alert.ends_at,
    }


def _resolve_remaining(conn, incident_id, now, token):
    """A resolved group resolves every alert of it still firing, even those not in the payload."""
    rows = sorted(conn.execute(_RESOLVE_REMAINING, {"of_incident": incident_id, "at": now, "by_token": token}),
                  key=lambda row: row.fingerprint)
    return [timeline_rules.AlertChange("resolved", row.fingerprint, row.summary) for row in rows]


def _quiet(conn, incident_id) -> bool:
    """True when none of the incident's alerts fires any more."""
    return not conn.execute(_STILL_FIRING, {"incident_id": incident_id}).scalar()


def _assign_number(conn, incident_id) -> int:
    """Number a new incident, whose row the caller has locked."""
    # Numbered only once the insert won: ON CONFLICT attempts would burn an identity value each.
    return conn.execute(_NUMBER[conn.dialect.name], {"incident_id": incident_id}).scalar_one()


_UNNUMBERED = incidents.update().where(incidents.c.id == sa.bindparam("incident_id"), incidents.c.number.is_(None))
_NUMBER = {
    "postgresql": _UNNUMBERED.values(number=incident_numbers.next_value()).returning(incidents.c.number),
    # SQLite serialises writers, so max + 1 cannot race
    "sqlite": _UNNUMBERED.values(number=sa.select(sa.func.coalesce(sa.func.max(incidents.c.number), 0) + 1)
                                 .scalar_subquery()).returning(incidents.c.number),
}
