"""Running escalations: a wake-up for one incident, the claim of everything due, and the sweep of
lifecycle targets and status updates due."""

import logging
from datetime import datetime

import sqlalchemy as sa

from incidents import escalation
from incidents.services import Catalog
from incidents.timings import Timings
from store import escalation as store
from store import follow_up_reminders, noise, postmortems
from store import gate as gates
from store import targets as targets_store
from store.pages import requeue_stale

log = logging.getLogger(__name__)


def wake_one(engine: sa.Engine, catalog: Catalog, incident_id: int, token: int, *, now: datetime):
    """The wake-up a task was scheduled for; nothing if the incident moved on (another token)."""
    with engine.begin() as conn:
        row = store.lock(conn, incident_id=incident_id, skip_locked=True)
        if row is None or row.esc_token != token:
            return None
        return _wake(conn, row, catalog, now)


def claim_due(engine: sa.Engine, catalog: Catalog, *, now: datetime, limit: int) -> list:
    """Every escalation due by `now` that no other worker holds: the net under lost wake-ups."""
    with engine.begin() as conn:
        decisions = [_wake(conn, row, catalog, now) for row in store.claim_due(conn, now, limit)]
    return [decision for decision in decisions if decision is not None]


def sweep_targets(engine: sa.Engine, catalog: Catalog, *, now: datetime, limit: int = 50) -> list:
    """Breaches and missed status updates due by `now` (a batch of incidents no other beat holds)."""
    return targets_store.sweep_due(engine, catalog, now=now, limit=limit)


def sweep_postmortems(engine: sa.Engine, catalog: Catalog, *, now: datetime, limit: int = 50) -> list:
    """Post-mortem reminders due by `now` (a batch of incidents no other beat holds)."""
    return postmortems.sweep_reminders(engine, catalog, now=now, limit=limit)


def sweep_follow_ups(engine: sa.Engine, catalog: Catalog, *, now: datetime, limit: int = 50) -> list:
    """Follow-up reminders due by `now` (on the due date, and once it is over), a batch of incidents."""
    return follow_up_reminders.sweep(engine, catalog, now=now, limit=limit)


def lost_pages(engine: sa.Engine, *, now: datetime, timings: Timings) -> list[int]:
    """Pending pages whose task must have been lost (a killed worker, a flushed broker). None while
    PagerDuty's back-off holds them and for a grace after (the refused task wakes when it ends), nor
    while a delivery sends the queue in order (it holds the back-off's row)."""
    with engine.begin() as conn:
        gate = gates.read(conn)
        if gate.wait(now - timings.sweep_grace) > 0:
            return []
        if gate.catching_up and gates.lock(conn) is None:
            return []
        return requeue_stale(conn, now, grace=timings.sweep_grace, limit=timings.pages_per_sweep)


def _wake(conn, row, catalog, now):
    state = store.state_of(row)
    due = state.next_wake
    if due is None or due > now:
        return store.Applied(row.id, row.esc_token, (), due)  # early: keep the token, wake later
    hold = noise.hold_for(conn, row.service, catalog, opened_at=state.opened_at, now=now) if state.held else None
    step = escalation.wake(store.plan_of(row), state, now, hold)
    return store.apply(conn, row, step, catalog=catalog, now=now, due_at=due)
