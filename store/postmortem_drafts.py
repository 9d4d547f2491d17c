"""The post-mortem draft, written in the transaction that resolves the incident (store.escalation._follow_status).

Created there, not lazily on first view: every resolved incident then has one, with its due time and
reminders, whether anybody opens it or not; a resolution replayed later finds it there and keeps it.
"""

from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from incidents import postmortem, targets
from incidents.lifecycle import Lifecycle
from incidents.severity import Severity
from store.tables import alerts, incident_actions, incidents, postmortem_versions, postmortems, timeline

_INSERT = {
    name: dialect.insert(postmortems).on_conflict_do_nothing().returning(postmortems.c.incident_id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def open_draft(conn, incident_id: int, lc: Lifecycle, severity: Severity, limits: targets.Targets, now: datetime):
    """A draft post-mortem for the incident just resolved, due by the lifecycle's `postmortem` target."""
    due = targets.deadline(lc, "postmortem", severity, limits)
    values = {"incident_id": incident_id, "state": postmortem.DRAFT, "due_at": due, "created_at": now}
    values["remind_at"] = postmortem.reminder_times(due, now)[0] if due else None
    if conn.execute(_INSERT[conn.dialect.name].values(**values)).first() is None:
        return  # resolved before (and fired again since): the first draft stays
    text = postmortem.draft(facts(conn, incident_id, lc, now))
    conn.execute(postmortem_versions.insert().values(incident_id=incident_id, text=text, author="system", at=now))


def facts(conn, incident_id: int, lc: Lifecycle, resolved_at: datetime) -> postmortem.Facts:
    """What the draft is written from: the incident, its alerts, timeline, pins and open actions."""
    row = conn.execute(sa.select(incidents).where(incidents.c.id == incident_id)).one()
    count = conn.execute(sa.select(sa.func.count()).where(alerts.c.incident_id == incident_id)).scalar_one()
    query = sa.select(timeline).where(timeline.c.incident_id == incident_id).order_by(timeline.c.id)
    entries = tuple(SimpleNamespace(**r._asdict()) for r in conn.execute(query))
    a = incident_actions.c
    open_ = sa.select(a.text).where(a.incident_id == incident_id, a.done.is_(False)).order_by(a.id)
    actions = tuple(conn.execute(open_).scalars())
    return postmortem.Facts(
        number=row.number,
        title=row.title,
        service=row.service,
        severity=Severity(row.severity),
        source=row.source,
        problem_started_at=lc.problem_started_at,
        resolved_at=resolved_at,
        alerts=count,
        affected=lc.affected,
        entries=entries,
        pinned=lc.pinned,
        open_actions=actions,
    )
