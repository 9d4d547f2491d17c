"""Rollback decisions: decided under the incident's row lock, read back from the timeline."""

from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa

from incidents import rollbacks
from incidents.lifecycle import Change
from incidents.services import Catalog
from store import lifecycle
from store.changes import candidates_of
from store.lifecycle_rows import utc
from store.tables import timeline
from store.timeline import append_one


def decide_rollback(engine, number: int, change_id: int, *, catalog: Catalog, now: datetime, actor: str):
    """`actor` decides to roll back change `change_id` of incident `number`: one `rollback_decided` entry, once.

    Returns store.lifecycle.Done (`created_id` None when it was decided already); NotACandidate if the
    change is not a rollback candidate of the incident; NotFound if there is no such incident."""

    def decide(conn, row, lc):
        found = candidates_of(conn, row, lc, window=catalog.rollback_window, now=now)
        entries = rollbacks.decide(found.candidates, rollbacks_of(conn, row.id), change_id)
        created = [append_one(conn, row.id, entry, now, actor=actor) for entry in entries]
        return Change(lc), None, created[0] if created else None

    return lifecycle.run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def rollbacks_of(conn, incident_id: int) -> tuple[rollbacks.Rollback, ...]:
    """The incident's rollback decisions, oldest first."""
    query = sa.select(timeline.c.kind, timeline.c.data, timeline.c.actor, timeline.c.at).where(
        timeline.c.incident_id == incident_id, timeline.c.kind == rollbacks.KIND
    )
    rows = conn.execute(query.order_by(timeline.c.id)).all()
    return tuple(replace(rollback, decided_at=utc(rollback.decided_at)) for rollback in rollbacks.decided_of(rows))
