"""The post-mortem draft, written in the transaction that resolves the incident (store.escalation._follow_status).

Created there, not lazily on first view: every resolved incident then has one, with its due time and
reminders, whether anybody opens it or not; a resolution replayed later finds it there and keeps it.
"""

from datetime import datetime

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
# Built once, as the rest of a resolution's statements: building one costs about as much as running it.
_INCIDENT = sa.select(
    incidents.c.number,
    incidents.c.title,
    incidents.c.service,
    incidents.c.severity,
    incidents.c.source,
    sa.select(sa.func.count()).where(alerts.c.incident_id == incidents.c.id).scalar_subquery().label("alerts"),
).where(incidents.c.id == sa.bindparam("incident_id"))
_TIMELINE = (
    sa.select(timeline.c.id, timeline.c.at, timeline.c.kind, timeline.c.message, timeline.c.data)
    .where(timeline.c.incident_id == sa.bindparam("incident_id"))
    .order_by(timeline.c.id)
)
_OPEN_ACTIONS = (
    sa.select(incident_actions.c.text)
    .where(incident_actions.c.incident_id == sa.bindparam("incident_id"), incident_actions.c.done.is_(False))
    .order_by(incident_actions.c.id)
)


def open_draft(conn, incident_id: int, lc: Lifecycle, severity: Severity, limits: targets.Targets, now: datetime):
    """A draft post-mortem for the incident just resolved, due by the lifecycle's `postmortem` target."""
    due = targets.deadline(lc, "postmortem", severity, limits)
    values = {"incident_id": incident_id, "state": postmortem.DRAFT, "due_at": due, "created_at": now}
    values["remind_at"] = postmortem.reminder_times(due, now)[0] if due else None
    if conn.execute(_INSERT[conn.dialect.name], values).first() is None:
        return  # resolved before (and fired again since): the first draft stays
    text = postmortem.draft(facts(conn, incident_id, lc, now))
    version = {"incident_id": incident_id, "text": text, "author": "system", "at": now}
    conn.execute(postmortem_versions.insert(), version)


def facts(conn, incident_id: int, lc: Lifecycle, resolved_at: datetime) -> postmortem.Facts:
    """What the draft is written from: the incident, its alerts, timeline, pins and open actions."""
    params = {"incident_id": incident_id}
    row = conn.execute(_INCIDENT, params).one()
    entries = tuple(conn.execute(_TIMELINE, params))
    actions = tuple(conn.execute(_OPEN_ACTIONS, params).scalars())
    return postmortem.Facts(
        number=row.number,
        title=row.title,
        service=row.service,
        severity=Severity(row.severity),
        source=row.source,
        problem_started_at=lc.problem_started_at,
        resolved_at=resolved_at,
        alerts=row.alerts,
        affected=lc.affected,
        entries=entries,
        pinned=lc.pinned,
        open_actions=actions,
    )
