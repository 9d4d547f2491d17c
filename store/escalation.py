"""An incident's escalation state as stored: its columns, the one lock every command takes, and the
claim of escalations due. Written by store.writer, which gives every outcome a new `esc_token`, so a
wake-up task carrying an older token finds nothing to do.
"""

from datetime import datetime

import sqlalchemy as sa

from incidents import escalation
from incidents.policy import Plan
from incidents.severity import Severity
from store.tables import incidents

STATE_COLUMNS = (
    incidents.c.id,
    incidents.c.number,
    incidents.c.service,
    incidents.c.source,
    incidents.c.status,
    incidents.c.severity,
    incidents.c.opened_at,
    incidents.c.policy,
    incidents.c.esc_level,
    incidents.c.esc_loop,
    incidents.c.esc_round,
    incidents.c.esc_due_at,
    incidents.c.esc_unresolved_due_at,
    incidents.c.esc_exhausted,
    incidents.c.esc_last_level_loop,
    incidents.c.esc_token,
    incidents.c.esc_held,
    incidents.c.acknowledged_at,
    incidents.c.resolved_at,
)


def state_of(row) -> escalation.State:
    """The escalation state stored on an incident row."""
    return escalation.State(
        escalation.Status(row.status),
        Severity(row.severity),
        row.opened_at,
        row.esc_level,
        row.esc_loop,
        row.esc_round,
        row.esc_due_at,
        row.esc_unresolved_due_at,
        row.esc_exhausted,
        row.esc_last_level_loop,
        row.esc_held,
    )


def read(conn, number: int):
    """The incident's state row, not locked (a page shows it); None if there is none."""
    return conn.execute(sa.select(*STATE_COLUMNS).where(incidents.c.number == number)).first()


def plan_of(row) -> Plan:
    return Plan.from_data(row.policy)


# Built once, like every statement a request runs: building one costs more than running it.
# FOR NO KEY UPDATE (`key_share`): a delivery holding a page's row writes the timeline, whose foreign
# key locks the incident row FOR KEY SHARE; under FOR UPDATE an acknowledgement waiting for that page's
# row deadlocked with it. Incident locks are taken this way everywhere (intake, sweep, claims).
_LOCK = {
    (by, skip_locked): sa.select(*STATE_COLUMNS)
    .where(incidents.c[by] == sa.bindparam("key"))
    .with_for_update(skip_locked=skip_locked, key_share=True)
    for by in ("id", "number")
    for skip_locked in (False, True)
}


def lock(conn, *, incident_id: int | None = None, number: int | None = None, skip_locked: bool = False):
    """The incident's state row, locked for this transaction; None if there is none (or it is locked)."""
    by, key = ("id", incident_id) if incident_id is not None else ("number", number)
    return conn.execute(_LOCK[by, skip_locked], {"key": key}).first()


def claim(conn, *, when, order, limit: int, join=None) -> list:
    """The one claim of due work every sweep makes: up to `limit` incidents matching `when` (through the
    `join`ed table keyed by incident_id), in `order`, locked the way every command locks an incident
    (FOR NO KEY UPDATE OF incidents); incidents another transaction holds are skipped (SKIP LOCKED)."""
    query = sa.select(*STATE_COLUMNS)
    if join is not None:
        query = query.join(join, join.c.incident_id == incidents.c.id)
    query = query.where(when).order_by(order).limit(limit)
    return conn.execute(query.with_for_update(of=incidents, skip_locked=True, key_share=True)).all()


def claim_due(conn, now: datetime, limit: int) -> list:
    """Incidents whose escalation is due."""
    when = sa.and_(incidents.c.next_wake_at <= now, incidents.c.status != "resolved")
    return claim(conn, when=when, order=incidents.c.next_wake_at, limit=limit)
