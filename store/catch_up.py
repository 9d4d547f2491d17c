"""Catching an incident up with its alerts, in the transaction that upserted them.

The upsert stores alerts; this numbers a new incident and starts its escalation, applies a severity
rise, writes the alert changes on the timeline, and resolves a resolved group, all under the
incident's row lock, so doing it twice does nothing.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from incidents import escalation, lifecycle
from incidents import severity as severity_rules
from incidents import timeline as timeline_rules
from incidents.alerts import FIRING, RESOLVED
from incidents.services import Catalog
from incidents.severity import Severity
from store import escalation as escalation_store
from store import lifecycle_rows, noise
from store.escalation import utc
from store.tables import Time, alerts, incident_lifecycle, incident_numbers, incidents
from store.timeline import append_timeline

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaughtUp:
    number: int
    opened: bool = False
    closed: bool = False
    resolved: list = field(default_factory=list)  # alerts the resolved group resolved
    decision: escalation_store.Applied | None = None


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
    actor: str | None = None,
) -> CaughtUp:
    """Bring an incident up to date with its alerts, under its row lock; doing it twice does nothing.

    A new incident gets its number, "opened" entry and escalation; `severity` (the highest firing in
    the batch) above the incident's raises it; `unnoted` alert changes go on the timeline; a
    resolved group resolves its other alerts and, once none fires, the incident. A severity a person
    chose stands against the alerts that fired before the choice (lifecycle.counts_after_choice).
    """
    row = escalation_store.lock(conn, incident_id=incident_id)
    actor = actor or row.source
    # Under the lock: an UPDATE ... WHERE number IS NULL racing another would burn a number.
    opened = row.number is None
    number = _assign_number(conn, row.id) if opened else row.number
    remaining = _resolve_remaining(conn, row.id, now, token) if resolve_group else []
    before = Severity(row.severity)
    if severity is not None and severity < before and not opened:
        severity = _since_choice(conn, row.id, severity)
    after = severity_rules.after_alerts(before, severity)
    change = timeline_rules.IncidentChange(opened, tuple([*unnoted, *remaining]), before, after)
    entries = tuple(timeline_rules.entries(change, service=service))
    append_timeline(conn, row.id, entries, now, actor=actor)
    if row.status == "resolved":  # resolved by hand since the upsert: its alerts are noted, no more
        return CaughtUp(number, resolved=remaining)
    # Only a resolved group closes: a firing group may hold alerts cut off by `max_alerts`.
    closed = resolve_group and _quiet(conn, row.id)
    decision = _escalate(
        conn,
        row,
        opened=opened,
        risen=after < before,
        closed=closed,
        severity=after,
        catalog=catalog,
        now=now,
        told=entries,
    )
    if opened:  # a declared incident stored its lifecycle already: insert_only keeps it
        lc = lifecycle_rows.begin(conn, row)
        targets = catalog.targets_for(row.service)
        lifecycle_rows.save(conn, row.id, lc, severity=after, targets=targets, insert_only=True)
    return CaughtUp(number, opened, closed, remaining, decision)


# The firing alerts of an incident, and when a person chose its severity (None: nobody did).
_FIRING_ALERTS = sa.select(alerts.c.severity, alerts.c.first_seen, alerts.c.starts_at).where(
    alerts.c.incident_id == sa.bindparam("incident_id"), alerts.c.status == FIRING
)
_CHOSEN_AT = sa.select(incident_lifecycle.c.severity_set_at).where(
    incident_lifecycle.c.incident_id == sa.bindparam("incident_id")
)


def _since_choice(conn, incident_id: int, severity: Severity) -> Severity | None:
    """The batch's `severity`, unless a person chose one since: then the highest firing alert that counts
    (incidents.lifecycle.counts_after_choice)."""
    chosen_at = utc(conn.execute(_CHOSEN_AT, {"incident_id": incident_id}).scalar())
    if chosen_at is None:
        return severity
    firing = conn.execute(_FIRING_ALERTS, {"incident_id": incident_id}).all()
    counted = [
        row.severity
        for row in firing
        if lifecycle.counts_after_choice(utc(row.first_seen), utc(row.starts_at), chosen_at)
    ]
    return Severity(min(counted)) if counted else None


def _escalate(conn, row, *, opened, risen, closed, severity, catalog, now, told):
    """The escalation decision the catch-up calls for, applied to the locked `row` (or None); chat
    is told the entries written above (`told`: the opening, a severity rise) with it."""
    if not (opened or risen or closed):
        return None
    plan, state = escalation_store.plan_of(row), escalation_store.state_of(row)
    if closed:
        step = escalation.resolve(state, now, reason="Incident resolved: all its alerts are resolved")
    elif opened:  # a maintenance window or the flap hold may hold its first page
        step = escalation.start(plan, severity, now, noise.hold_for(conn, row.service, catalog, opened_at=now, now=now))
    else:
        step = escalation.raise_severity(plan, state, severity, now)
    return escalation_store.apply(conn, row, step, catalog=catalog, now=now, told=told)


_RESOLVE_REMAINING = (
    alerts.update()
    .where(alerts.c.incident_id == sa.bindparam("of_incident"), alerts.c.status == FIRING)
    .values(
        status=RESOLVED,
        ends_at=sa.bindparam("at", type_=Time),
        last_seen=sa.bindparam("at", type_=Time),
        change_token=sa.bindparam("by_token"),
    )
    .returning(alerts.c.fingerprint, alerts.c.summary)
)
_STILL_FIRING = sa.select(
    sa.exists().where(alerts.c.incident_id == sa.bindparam("incident_id"), alerts.c.status == FIRING)
)


def _resolve_remaining(conn, incident_id, now, token):
    """A resolved group resolves every alert of it still firing, even those not in the payload."""
    rows = sorted(
        conn.execute(_RESOLVE_REMAINING, {"of_incident": incident_id, "at": now, "by_token": token}),
        key=lambda row: row.fingerprint,
    )
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
    "sqlite": _UNNUMBERED.values(
        number=sa.select(sa.func.coalesce(sa.func.max(incidents.c.number), 0) + 1).scalar_subquery()
    ).returning(incidents.c.number),
}
