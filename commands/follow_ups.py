"""Changing a follow-up (close, reopen, another owner or due date) under its incident's lock."""

from dataclasses import replace
from datetime import datetime

from commands.incident import as_actor, run
from commands.work import NotFound, Work
from incidents import follow_ups as core
from incidents.lifecycle import Change
from incidents.services import Catalog
from store import follow_ups as rows
from store import outbox


def change(engine, follow_up_id: int, *, catalog: Catalog, now: datetime, actor, **asked):
    """Close, reopen or reassign (`state`, `owner`, `due_on`, as incidents.follow_ups.change takes them) under
    the follow-up's incident's row lock; the changes are on that incident's timeline, its reminders sent so far
    are resolved at PagerDuty when it closes or moves. NotFound for an unknown id; ValueError for a wrong state."""
    with engine.connect() as conn:
        found = rows.read(conn, follow_up_id)
    if found is None:
        raise NotFound(f"no follow-up {follow_up_id}")
    resolves, by = [], as_actor(actor).name

    def decide(work: Work):
        conn, row, lc = work.conn, work.row, work.lifecycle
        now_row = rows.for_update(conn, follow_up_id)
        decided = core.change(rows.item_of(now_row), by=by, **asked)
        if not decided.entries:
            return Change(lc), None, follow_up_id
        new, entries = decided.item, decided.entries
        values = {"owner_kind": new.owner_kind, "owner_name": new.owner_name, "due_on": new.due_on, "state": new.state}
        values |= {"remind_round": new.round, "reminded": new.reminded, "remind_at": core.first_reminder(new)}
        if new.state != now_row.state:
            values["closed_at"] = now if new.state == core.DONE else None
        rows.save(conn, follow_up_id, values)
        if decided.resolve_reminders:
            why = f"follow-up {'closed' if new.state == core.DONE else 'changed'} by {by}"
            prefix = core.step_prefix(rows.item_of(now_row)) + ":"
            cancelled, resolve_ids = outbox.resolve_steps(conn, row.id, prefix, why, now)
            entries, resolves[:] = entries + cancelled, resolve_ids
        return Change(lc, entries), None, follow_up_id

    done = run(engine, found.number, decide, catalog=catalog, now=now, actor=actor)
    decision = replace(done.decision, page_ids=done.decision.page_ids + tuple(resolves))
    return replace(done, decision=decision)
