"""The follow-up reminder sweep: owners are reminded on the due date and once it is over, each once a round.

The next reminder's time is a column (`follow_ups.remind_at`). Beat's tick claims the incidents holding due
follow-ups with `FOR UPDATE OF incidents SKIP LOCKED`, the incident row lock every action takes (a close or a
reassignment too), so two beats never remind twice and never deadlock with a person changing the follow-up.
Under the lock each follow-up is read again and decided by incidents.follow_ups.reminder; the reminder is a
timeline entry on the follow-up's incident (told in chat where its service has one) and a notice page to the
owner, user or team, with a step of its own per follow-up, round and kind (`fu12r0:due`).
"""

from datetime import datetime

from commands.work import Work
from commands.work import sweep as sweep_incidents
from incidents import follow_ups as core
from incidents.lifecycle import Change
from incidents.services import Catalog
from store import follow_ups as rows


def sweep(engine, catalog: Catalog, *, now: datetime, limit: int = 50) -> list:
    """Reminders due by `now` for the follow-ups of up to `limit` incidents no other beat holds, in one
    transaction; the decisions (notice pages, chat) to hand to the workers once committed."""
    return sweep_incidents(engine, rows.claim_reminders, _remind, catalog=catalog, now=now, limit=limit)


def _remind(work: Work):
    conn, row, now = work.conn, work.row, work.now
    # Read again under the lock: another beat may have reminded and committed since this one's snapshot.
    entries, notices = [], []
    for item in rows.due_reminders(conn, row.id, now):
        kind, later = core.reminder(item, now)
        rows.reminded(conn, item.id, remind_at=later, reminded=kind or item.reminded)
        if kind is None:
            continue
        notice = core.reminder_notice(item, kind)
        whom = core.owner_label(item) if notice else "nobody (no owner)"
        entries.append(core.reminder_entry(item, kind, whom=whom))
        notices += [notice] if notice else []
    if not entries:
        return work.unchanged()
    return work.write(change=Change(work.lifecycle, tuple(entries), tuple(notices)))
