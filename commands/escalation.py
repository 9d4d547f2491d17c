"""Escalation commands: someone asks (acknowledge, resolve, escalate, add a responder), a wake-up
comes due, or the claim of everything due runs."""

from datetime import datetime

import sqlalchemy as sa

from commands.work import NotFound, Work, lock, on_incident, sweep
from incidents import escalation
from incidents.actors import SYSTEM, Actor
from incidents.services import Catalog
from store import escalation as incident_rows
from store import noise
from store.writer import Applied


def act(
    engine: sa.Engine,
    decide,
    *,
    catalog: Catalog,
    now: datetime,
    incident_id: int | None = None,
    number: int | None = None,
    actor: Actor = SYSTEM,
) -> Applied | None:
    """Lock the incident, let `decide(plan, state)` return a Step, write it as `actor`; None if no such incident.
    A step that changes nothing writes nothing (the incident keeps its token)."""
    try:
        with on_incident(engine, catalog=catalog, now=now, actor=actor, number=number, incident_id=incident_id) as work:
            step = decide(work.plan, work.state)
            return work.unchanged() if step == escalation.Step(work.state) else work.write(step)
    except NotFound:
        return None


def requested(engine: sa.Engine, action: str, *, catalog: Catalog, now: datetime, actor: Actor, **incident):
    """What `actor` asked for by name: acknowledge, unacknowledge, resolve or escalate (`incident`:
    its `number` or `incident_id`); None if no such incident."""
    return act(
        engine,
        lambda plan, state: escalation.requested(action, plan, state, now, by=actor.says),
        catalog=catalog,
        now=now,
        actor=actor,
        **incident,
    )


def add_responder(engine: sa.Engine, target, *, catalog: Catalog, now: datetime, actor: Actor, number: int):
    """Page `target` (a user or a team outside the policy) now; None if no such incident."""
    return act(
        engine,
        lambda plan, state: escalation.add_responder(state, target, by=actor.says),
        catalog=catalog,
        now=now,
        actor=actor,
        number=number,
    )


def wake_one(engine: sa.Engine, catalog: Catalog, incident_id: int, token: int, *, now: datetime):
    """The wake-up a task was scheduled for; nothing if the incident moved on (another token) or is held."""
    with engine.begin() as conn:
        work = lock(conn, catalog=catalog, now=now, actor=SYSTEM, incident_id=incident_id, skip_locked=True)
        if work is None or work.row.esc_token != token:
            return None
        return wake(work)


def claim_due(engine: sa.Engine, catalog: Catalog, *, now: datetime, limit: int) -> list:
    """Every escalation due by `now` that no other worker holds: the net under lost wake-ups."""
    return sweep(engine, incident_rows.claim_due, wake, catalog=catalog, now=now, limit=limit)


def wake(work: Work) -> Applied:
    """Whatever is due on the locked incident; early: keep the token, wake later."""
    state = work.state
    due = state.next_wake
    if due is None or due > work.now:
        return Applied(work.row.id, work.row.esc_token, (), due)
    held = state.held and noise.hold_for(
        work.conn, work.row.service, work.catalog, opened_at=state.opened_at, now=work.now
    )
    step = escalation.wake(work.plan, state, work.now, held or None)
    return work.write(step, due_at=due)
