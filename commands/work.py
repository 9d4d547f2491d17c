"""One unit of work on one incident, the way every command runs: take the incident's lock (the one
place that does), load its state once, ask the core for the outcome, hand it to the one writer."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

import sqlalchemy as sa

from incidents import escalation, outcome, schedules
from incidents.actors import SYSTEM, Actor
from incidents.lifecycle import Change, Lifecycle
from incidents.policy import Plan
from incidents.services import Catalog
from incidents.severity import Severity
from incidents.timeline import Entry
from store import escalation as incident_rows
from store import lifecycle_rows, overrides, writer
from store.queries import NotFound  # noqa: F401 (commands raise it: 404)
from store.writer import Applied


@dataclass
class Work:
    """An incident locked for this transaction (`row`: its state columns), and who acts, when."""

    conn: sa.Connection
    row: object
    catalog: Catalog
    now: datetime
    actor: Actor

    @cached_property
    def plan(self) -> Plan:
        """The policy frozen on the incident when it opened."""
        return incident_rows.plan_of(self.row)

    @property
    def state(self) -> escalation.State:
        return incident_rows.state_of(self.row)

    @cached_property
    def lifecycle(self) -> Lifecycle:
        """Loaded when first asked for (the alert path mostly does not need it)."""
        return lifecycle_rows.load(self.conn, self.row)

    def write(
        self,
        step: escalation.Step | None = None,
        *,
        change: Change | None = None,
        told: tuple[Entry, ...] = (),
        due_at: datetime | None = None,
    ) -> Applied:
        """The outcome of an escalation `step` and a lifecycle `change` (either may be None), written."""
        step = step or escalation.Step(self.state)
        before = Severity(self.row.severity)
        moved = outcome.moves_lifecycle(self.row.status, step) or outcome.changes_severity(before, step)
        needed = change is None and moved
        every = self.catalog.targets_for(self.row.service).update_every.get(step.state.severity)
        decided = outcome.decide(
            self.plan,
            self.row.status,
            step,
            change=change,
            lc=self.lifecycle if needed else None,
            update_every=every,
            now=self.now,
            told=told,
            who=self.on_call,
            severity_before=before,
        )
        return writer.write(
            self.conn, self.row, decided, catalog=self.catalog, now=self.now, actor=self.actor, due_at=due_at
        )

    def on_call(self, schedule: str) -> str | None:
        """Who is on call on a schedule of the configuration now (None: nobody, or no such schedule)."""
        found = self.catalog.schedules.get(schedule)
        if found is None:
            return None
        asked = overrides.meeting(self.conn, schedule, self.now, self.now + timedelta(seconds=1))
        return schedules.on_call(found, self.now, asked)

    def unchanged(self) -> Applied:
        return writer.unchanged(self.row)


def as_actor(actor) -> Actor:
    """An Actor; a bare name is a person (the CLI's and the tests' shorthand)."""
    return actor if isinstance(actor, Actor) else Actor.person(actor)


def lock(
    conn, *, catalog: Catalog, now: datetime, actor: Actor, incident_id=None, number=None, skip_locked=False
) -> Work | None:
    """The incident locked in the caller's transaction (None: no such incident, or `skip_locked` and held)."""
    row = incident_rows.lock(conn, incident_id=incident_id, number=number, skip_locked=skip_locked)
    return None if row is None else Work(conn, row, catalog, now, as_actor(actor))


def claimed(conn, row, *, catalog: Catalog, now: datetime, actor: Actor = SYSTEM) -> Work:
    """The Work on an incident a claim (FOR UPDATE SKIP LOCKED, by a sweep) has locked already."""
    return Work(conn, row, catalog, now, as_actor(actor))


def sweep(engine: sa.Engine, claim, each, *, catalog: Catalog, now: datetime, limit: int) -> list:
    """One transaction over the incidents `claim(conn, now, limit)` locks (SKIP LOCKED: those another
    beat holds are skipped), each handed to `each(work)`; the decisions for the workers once committed."""
    with engine.begin() as conn:
        return [each(claimed(conn, row, catalog=catalog, now=now)) for row in claim(conn, now, limit)]


@contextmanager
def on_incident(
    engine: sa.Engine, *, catalog: Catalog, now: datetime, actor: Actor, number=None, incident_id=None
) -> Iterator[Work]:
    """One transaction on the incident, locked; NotFound if there is none."""
    with engine.begin() as conn:
        work = lock(conn, catalog=catalog, now=now, actor=actor, incident_id=incident_id, number=number)
        if work is None:
            raise NotFound(f"no incident INC-{number}" if number is not None else f"no incident {incident_id}")
        yield work
