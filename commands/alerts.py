"""Alerts into incidents, the inbox consumer's command: dedup and grouping by database guarantees
(the upsert), then the incident caught up with its alerts under its lock, in the same transaction.

A batch locks its incident row first (the upsert), then touches only that incident's alert rows, in
fingerprint order, so there are no duplicate incidents. Catching up numbers a new incident and starts
its escalation, applies a severity rise, writes the alert changes on the timeline and resolves a
resolved group; doing it twice does nothing. A declared incident opens through the same catch-up.
"""

from dataclasses import dataclass, field
from datetime import datetime

from commands.work import Work, lock
from incidents import escalation, lifecycle
from incidents import severity as severity_rules
from incidents import timeline as timeline_rules
from incidents.actors import SYSTEM, Actor
from incidents.alerts import AlertBatch
from incidents.services import Catalog
from incidents.severity import Severity
from store import alert_rows, catch_up_rows, intake, lifecycle_rows, noise
from store.recording import BatchOutcome, Recording
from store.timeline import append_timeline
from store.writer import Applied


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
        incident = intake.lock_open_incident(conn, batch.service, batch.group_key)
        if incident is None:
            return BatchOutcome(None, ignored=len(batch.alerts))
        if batch.alerts:  # the upsert counts firing batches; count this one too
            intake.count_events(conn, incident.id, len(batch.alerts), now)
        rows = recording.rows and alert_rows.upsert(conn, incident.id, recording.rows, now=now, token=recording.token)
        recording.land(alert_rows.Upserted(incident, rows))
    incident = recording.upserted.incident
    if not timeline_rules.changes_incident(
        numbered=incident.number is not None,
        group_resolved=batch.group_resolved,
        firing=recording.severity,
        severity=incident.severity,
        alerts=len(recording.changes),
    ):
        return recording.outcome()
    caught = catch_up(
        conn,
        recording.upserted.incident.id,
        service=recording.service.name,
        severity=recording.severity,
        unnoted=recording.changes,
        resolve_group=batch.group_resolved,
        token=recording.token,
        catalog=catalog,
        now=now,
    )
    applied = [caught.decision] if caught.decision else []
    return recording.outcome(
        opened=caught.opened, closed=caught.closed, number=caught.number, extra=caught.resolved, applied=applied
    )


def acknowledge_group(
    conn, *, service_name: str, group_key: str, catalog: Catalog, now: datetime, by: str
) -> BatchOutcome:
    """Acknowledge the open incident of a group (PagerDuty `acknowledge` events, sent by `by`)."""
    incident = intake.lock_open_incident(conn, service_name, group_key)
    if incident is None:
        return BatchOutcome(None)
    actor = Actor.sender(by)
    work = lock(conn, catalog=catalog, now=now, actor=actor, incident_id=incident.id)
    applied = work.write(escalation.acknowledge(work.plan, work.state, now, by=actor.says))
    return BatchOutcome(work.row.number, applied=[applied])


@dataclass(frozen=True)
class CaughtUp:
    number: int
    opened: bool = False
    closed: bool = False
    resolved: list = field(default_factory=list)  # alerts the resolved group resolved
    decision: Applied | None = None


def catch_up(
    conn,
    incident_id: int,
    *,
    service: str,
    severity: Severity | None,
    unnoted=(),
    resolve_group: bool = False,
    token: int,
    catalog: Catalog,
    now: datetime,
    actor: Actor | None = None,
) -> CaughtUp:
    """Bring an incident up to date with its alerts, under its row lock; doing it twice does nothing.

    A new incident gets its number, "opened" entry and escalation; `severity` (the highest firing in
    the batch) above the incident's raises it; `unnoted` alert changes go on the timeline; a
    resolved group resolves its other alerts and, once none fires, the incident. A severity a person
    chose stands against the alerts that fired before the choice (lifecycle.severity_after_choice).
    """
    work = lock(conn, catalog=catalog, now=now, actor=actor or SYSTEM, incident_id=incident_id)
    row = work.row
    if actor is None:  # the alerts' own source acts: alertmanager, grafana, pagerduty
        work.actor = Actor(row.source)
    # Under the lock: an UPDATE ... WHERE number IS NULL racing another would burn a number.
    opened = row.number is None
    number = catch_up_rows.assign_number(conn, row.id) if opened else row.number
    remaining = catch_up_rows.resolve_remaining(conn, row.id, now, token) if resolve_group else []
    before = Severity(row.severity)
    if severity is not None and severity < before and not opened:
        chosen_at, firing = catch_up_rows.severity_choice(conn, row.id)
        severity = severity if chosen_at is None else lifecycle.severity_after_choice(chosen_at, firing)
    after = severity_rules.after_alerts(before, severity)
    change = timeline_rules.IncidentChange(opened, tuple([*unnoted, *remaining]), before, after)
    entries = tuple(timeline_rules.entries(change, service=service))
    append_timeline(conn, row.id, entries, now, actor=work.actor.name)
    if row.status == "resolved":  # resolved by hand since the upsert: its alerts are noted, no more
        return CaughtUp(number, resolved=remaining)
    # Only a resolved group closes: a firing group may hold alerts cut off by `max_alerts`.
    closed = resolve_group and catch_up_rows.quiet(conn, row.id)
    decision = _escalate(work, opened=opened, risen=after < before, closed=closed, severity=after, told=entries)
    if opened:  # a declared incident stored its lifecycle already: insert_only keeps it
        lc = lifecycle_rows.begin(conn, row)
        targets = catalog.targets_for(row.service)
        lifecycle_rows.save(conn, row.id, lc, severity=after, targets=targets, insert_only=True)
    return CaughtUp(number, opened, closed, remaining, decision)


def _escalate(work: Work, *, opened, risen, closed, severity, told) -> Applied | None:
    """The escalation decision the catch-up calls for, written (or None); chat is told the entries
    written already (`told`: the opening, a severity rise) with it."""
    if not (opened or risen or closed):
        return None
    plan, state, now = work.plan, work.state, work.now
    if closed:
        step = escalation.resolve(state, now, reason="Incident resolved: all its alerts are resolved")
    elif opened:  # a maintenance window or the flap hold may hold its first page
        hold = noise.hold_for(work.conn, work.row.service, work.catalog, opened_at=now, now=now)
        step = escalation.start(plan, severity, now, hold)
    else:
        step = escalation.raise_severity(plan, state, severity, now)
    return work.write(step, told=told)
