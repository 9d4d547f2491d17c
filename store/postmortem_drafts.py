"""The post-mortem draft: its row at resolution, its text when somebody first needs it.

The transaction that resolves an incident (store.escalation._follow_status) creates the post-mortem's
row, with its due time and reminders, so every resolved incident has one whether anybody opens it or not;
a resolution replayed later finds it there and keeps it. The draft's text, read from the incident's
timeline, alerts and actions, is written when it is first opened (the editor, the API, the export),
published or skipped, or when its reminder falls due (`written`): most of a resolution's statements
were that text, which nobody reads for most incidents.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from incidents import postmortem, targets
from incidents.lifecycle import Lifecycle
from incidents.severity import Severity
from store import lifecycle_rows
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
    """The post-mortem of the incident just resolved, due by the lifecycle's `postmortem` target (no text yet)."""
    due = targets.deadline(lc, "postmortem", severity, limits)
    values = {"incident_id": incident_id, "state": postmortem.DRAFT, "due_at": due, "created_at": now}
    values["remind_at"] = postmortem.reminder_times(due, now)[0] if due else None
    conn.execute(_INSERT[conn.dialect.name], values)  # resolved before (and fired again since): the first stays


def written(conn, number: int) -> None:
    """Write the draft's text of incident `number`'s post-mortem if it has none yet; under the post-mortem's
    row lock, so two first readers write it once. Its time is the incident's resolution, as if written then (the
    first resolution's, when the incident was reopened since)."""
    found = conn.execute(_UNWRITTEN, {"number": number}).first()
    if found is None:
        return
    lc = lifecycle_rows.load(conn, found)
    resolved_at = found.resolved_at
    text = postmortem.draft(facts(conn, found.id, lc, resolved_at))
    version = {"incident_id": found.id, "text": text, "author": "system", "at": resolved_at or found.created_at}
    conn.execute(postmortem_versions.insert(), version)


# The incident of a post-mortem without any version, its post-mortem row locked.
_UNWRITTEN = (
    sa.select(
        incidents.c.id, incidents.c.opened_at, incidents.c.service, incidents.c.resolved_at, postmortems.c.created_at
    )
    .join(postmortems, postmortems.c.incident_id == incidents.c.id)
    .where(
        incidents.c.number == sa.bindparam("number"),
        ~sa.exists().where(postmortem_versions.c.incident_id == incidents.c.id),
    )
    .with_for_update(of=postmortems)
)


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
