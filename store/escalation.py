"""Persisting escalation decisions: incident state, the page outbox, claims of due work.

Every decision is applied under the incident's row lock and writes a new `esc_token`, so a
wake-up task carrying an older token finds nothing to do.
"""

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import sqlalchemy as sa

from incidents import escalation, lifecycle, updates
from incidents.policy import Plan
from incidents.services import Catalog
from incidents.severity import Severity
from store import chat as chat_outbox
from store import lifecycle_rows, outbox, postmortem_drafts
from store.tables import incidents
from store.timeline import append_timeline

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


@dataclass(frozen=True)
class Applied:
    """What a committed decision asks the workers to do: send these pages, wake up then."""

    incident_id: int
    token: int
    page_ids: tuple[int, ...]
    wake_at: datetime | None
    chat_ids: tuple[int, ...] = ()


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they are UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def state_of(row) -> escalation.State:
    """The escalation state stored on an incident row."""
    return escalation.State(
        escalation.Status(row.status),
        Severity(row.severity),
        utc(row.opened_at),
        row.esc_level,
        row.esc_loop,
        row.esc_round,
        utc(row.esc_due_at),
        utc(row.esc_unresolved_due_at),
        row.esc_exhausted,
        row.esc_last_level_loop,
        row.esc_held,
    )


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


def act(
    engine,
    decide,
    *,
    catalog: Catalog,
    now: datetime,
    incident_id: int | None = None,
    number: int | None = None,
    actor: str = "system",
) -> Applied | None:
    """Lock the incident, let `decide(plan, state)` return a Step, apply it as `actor`; None if no such incident."""
    with engine.begin() as conn:
        row = lock(conn, incident_id=incident_id, number=number)
        if row is None:
            return None
        step = decide(plan_of(row), state_of(row))
        if step == escalation.Step(state_of(row)):
            return Applied(row.id, row.esc_token, (), None)  # nothing changed: keep the token
        return apply(conn, row, step, catalog=catalog, now=now, actor=actor)


def apply(
    conn,
    row,
    step: escalation.Step,
    *,
    catalog: Catalog,
    now: datetime,
    due_at: datetime | None = None,
    actor: str = "system",
    told: tuple = (),
) -> Applied:
    """Write the step's state with a new token, its pages and notifications, its timeline (by `actor`),
    and the chat messages its entries call for.

    `due_at` is when the step was due (a wake-up's scheduled time), for the lateness metric. `told`
    are entries the caller wrote itself (the intake's "opened", a severity rise) that chat tells too.
    """
    token, state = random.getrandbits(62), step.state
    acknowledged_at, resolved_at = _status_times(row, state, now)
    conn.execute(
        _SAVE_STATE,
        {
            "row_id": row.id,
            "v_status": state.status,
            "v_severity": int(state.severity),
            "v_level": state.level,
            "v_loop": state.loop,
            "v_round": state.round,
            "v_due_at": state.due_at,
            "v_unresolved_due_at": state.unresolved_due_at,
            "v_exhausted": state.exhausted,
            "v_last_level_loop": state.last_level_loop,
            "v_held": state.held,
            "v_token": token,
            "v_next_wake_at": state.next_wake,
            "v_acknowledged_at": acknowledged_at,
            "v_resolved_at": resolved_at,
        },
    )
    page_ids, entries = outbox.insert(conn, row, step.pages, catalog, now, due_at or now), step.entries
    if step.notify:
        entries += outbox.cancel_unsent(conn, row.id, step.notify, step.why)
        page_ids += outbox.follow_up(conn, row.id, step.notify, state.round, now)
    append_timeline(conn, row.id, entries, now, actor=actor)
    if state.status != row.status and state.status in (escalation.ACKNOWLEDGED, escalation.RESOLVED):
        _follow_status(conn, row, state, catalog, now, actor)
    entries = tuple(told) + step.entries
    chat_ids = chat_outbox.queue(conn, row, entries, severity=state.severity, catalog=catalog, now=now)
    return Applied(row.id, token, tuple(page_ids), state.next_wake, chat_ids)


def _follow_status(conn, row, state: escalation.State, catalog: Catalog, now: datetime, actor: str) -> None:
    """The one place where the lifecycle follows escalation: the first acknowledgement, however it came
    (link, API, PagerDuty, the web), starts the Response phase; resolution enters the post-mortem and
    writes its draft."""
    targets = catalog.targets_for(row.service)
    lc = lifecycle_rows.load(conn, row)
    if state.status == escalation.RESOLVED:
        change = lifecycle.resolved(lc, now)
    else:
        change = lifecycle.acknowledged(lc, now)
        change = replace(
            change, lifecycle=updates.first_due(change.lifecycle, now, targets.update_every.get(state.severity))
        )
    append_timeline(conn, row.id, change.entries, now, actor=actor)
    lifecycle_rows.save(conn, row.id, change.lifecycle, severity=state.severity, targets=targets)
    if state.status == escalation.RESOLVED:
        postmortem_drafts.open_draft(conn, row.id, change.lifecycle, state.severity, targets, now)


_SAVE_STATE = (
    incidents.update()
    .where(incidents.c.id == sa.bindparam("row_id"))
    .values(
        status=sa.bindparam("v_status"),
        severity=sa.bindparam("v_severity"),
        esc_level=sa.bindparam("v_level"),
        esc_loop=sa.bindparam("v_loop"),
        esc_round=sa.bindparam("v_round"),
        esc_due_at=sa.bindparam("v_due_at"),
        esc_unresolved_due_at=sa.bindparam("v_unresolved_due_at"),
        esc_exhausted=sa.bindparam("v_exhausted"),
        esc_last_level_loop=sa.bindparam("v_last_level_loop"),
        esc_held=sa.bindparam("v_held"),
        esc_token=sa.bindparam("v_token"),
        next_wake_at=sa.bindparam("v_next_wake_at"),
        acknowledged_at=sa.bindparam("v_acknowledged_at"),
        resolved_at=sa.bindparam("v_resolved_at"),
    )
)


def _status_times(row, state, now) -> tuple:
    """(acknowledged_at, resolved_at) after the step: set when the status moves there."""
    if state.status == row.status:
        return row.acknowledged_at, row.resolved_at
    return {
        "acknowledged": (now, row.resolved_at),
        "resolved": (row.acknowledged_at, now),
        "triggered": (None, row.resolved_at),
    }[state.status]


def claim_due(conn, now: datetime, limit: int) -> list:
    """Incidents whose escalation is due, locked; rows other workers hold are skipped."""
    query = (
        sa.select(*STATE_COLUMNS)
        .where(incidents.c.next_wake_at <= now, incidents.c.status != "resolved")
        .order_by(incidents.c.next_wake_at)
        .limit(limit)
        .with_for_update(skip_locked=True, key_share=True)
    )
    return conn.execute(query).all()
