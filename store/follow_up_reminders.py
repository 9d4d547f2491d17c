"""The follow-up reminder sweep: owners are reminded on the due date and once it is over, each once a round.

The next reminder's time is a column (`follow_ups.remind_at`). Beat's tick claims the incidents holding due
follow-ups with `FOR UPDATE OF incidents SKIP LOCKED`, the incident row lock every action takes (a close or a
reassignment too), so two beats never remind twice and never deadlock with a person changing the follow-up.
Under the lock each follow-up is read again and decided by incidents.follow_ups.reminder; the reminder is a
timeline entry on the follow-up's incident (told in chat where its service has one) and a notice page to the
owner, user or team, with a step of its own per follow-up, round and kind (`fu12r0:due`).
"""

from datetime import datetime

import sqlalchemy as sa

from incidents import follow_ups as core
from incidents.lifecycle import Change, Notice
from incidents.services import Catalog
from store import escalation as escalation_store
from store import lifecycle as lifecycle_store
from store import lifecycle_rows
from store.follow_ups import item_of
from store.tables import follow_ups, incidents


def sweep(engine, catalog: Catalog, *, now: datetime, limit: int = 50) -> list:
    """Reminders due by `now` for the follow-ups of up to `limit` incidents no other beat holds, in one
    transaction; the decisions (notice pages, chat) to hand to the workers once committed."""
    with engine.begin() as conn:
        return [_remind(conn, row, catalog, now) for row in _claim(conn, now, limit)]


def _claim(conn, now: datetime, limit: int) -> list:
    due = (
        sa.select(follow_ups.c.incident_id)
        .where(follow_ups.c.state == core.OPEN, follow_ups.c.remind_at <= now)
        .order_by(follow_ups.c.remind_at)
        .limit(limit * 4)  # several follow-ups of one incident count once
    )
    query = (
        sa.select(*escalation_store.STATE_COLUMNS)
        .where(incidents.c.id.in_(due.scalar_subquery()))
        .order_by(incidents.c.id)
        .limit(limit)
        .with_for_update(of=incidents, skip_locked=True, key_share=True)
    )
    return conn.execute(query).all()


def _remind(conn, row, catalog: Catalog, now: datetime):
    # Read again under the lock: another beat may have reminded and committed since this one's snapshot.
    f = follow_ups.c
    query = sa.select(follow_ups).where(f.incident_id == row.id, f.state == core.OPEN, f.remind_at <= now)
    entries, notices = [], []
    for stored in conn.execute(query.order_by(f.id)).all():
        item = item_of(stored)
        kind, later = core.reminder(item, now)
        conn.execute(follow_ups.update().where(f.id == item.id).values(remind_at=later, reminded=kind or item.reminded))
        if kind is None:
            continue
        notice = _whom(item, kind)
        whom = core.owner_label(item) if notice else "nobody (no owner)"
        entries.append(core.reminder_entry(item, kind, whom=whom))
        notices += [notice] if notice else []
    if not entries:
        return escalation_store.Applied(row.id, row.esc_token, (), None)
    change = Change(lifecycle_rows.load(conn, row), tuple(entries), tuple(notices))
    return lifecycle_store.apply(conn, row, change, None, catalog=catalog, now=now, actor="system")


def _whom(item: core.FollowUp, kind: str) -> Notice | None:
    """The owner, a user or a team; None without one (the reminder is written and told in chat, nobody paged)."""
    if not item.owner_name:
        return None
    reason = f'follow-up "{item.text[:200]}" ' + ("overdue" if kind == core.OVERDUE else "due today")
    to = "team" if item.owner_kind == "team" else "user"
    return Notice(to, core.step(item, kind), reason, item.owner_name)
