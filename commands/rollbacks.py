"""Deciding to roll back a change, under the incident's lock."""

from datetime import datetime

from commands.incident import run
from commands.work import Work
from incidents import rollbacks
from incidents.lifecycle import Change
from incidents.services import Catalog
from store.changes import candidates_of
from store.rollbacks import rollbacks_of
from store.timeline import append_one


def decide_rollback(engine, number: int, change_id: int, *, catalog: Catalog, now: datetime, actor):
    """`actor` decides to roll back change `change_id` of incident `number`: one `rollback_decided` entry, once.

    Returns commands.incident.Done (`created_id` None when it was decided already); NotACandidate if the
    change is not a rollback candidate of the incident; NotFound if there is no such incident."""

    def decide(work: Work):
        conn, row, lc = work.conn, work.row, work.lifecycle
        found = candidates_of(conn, row, lc, window=catalog.rollback_window, now=now)
        entries = rollbacks.decide(found.candidates, rollbacks_of(conn, row.id), change_id)
        created = [append_one(conn, row.id, entry, now, actor=work.actor.name) for entry in entries]
        return Change(lc), None, created[0] if created else None

    return run(engine, number, decide, catalog=catalog, now=now, actor=actor)
