"""Running escalations: a wake-up for one incident, the claim of everything due, and the sweep of
lifecycle targets and status updates due."""

import logging
from datetime import datetime

import sqlalchemy as sa

from commands import escalation as commands
from commands import follow_up_reminders, postmortems, targets
from incidents.services import Catalog
from incidents.timings import Timings
from store import gate as gates
from store.pages import requeue_stale

log = logging.getLogger(__name__)


def wake_one(engine: sa.Engine, catalog: Catalog, incident_id: int, token: int, *, now: datetime):
    """The wake-up a task was scheduled for; nothing if the incident moved on (another token)."""
    return commands.wake_one(engine, catalog, incident_id, token, now=now)


def claim_due(engine: sa.Engine, catalog: Catalog, *, now: datetime, limit: int) -> list:
    """Every escalation due by `now` that no other worker holds: the net under lost wake-ups."""
    return commands.claim_due(engine, catalog, now=now, limit=limit)


def sweep_targets(engine: sa.Engine, catalog: Catalog, *, now: datetime, limit: int = 50) -> list:
    """Breaches and missed status updates due by `now` (a batch of incidents no other beat holds)."""
    return targets.sweep_due(engine, catalog, now=now, limit=limit)


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
