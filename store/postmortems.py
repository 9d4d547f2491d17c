"""Post-mortems as stored: read, save a version, finish (published or skipped), and the reminder claim.
Publishing, skipping and reminding are commands (commands.postmortems)."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from incidents import postmortem
from incidents.severity import Severity
from store import postmortem_drafts
from store.escalation import claim
from store.queries import NotFound
from store.tables import incidents, postmortem_versions, postmortems, timeline


class Refused(Exception):
    """The request breaks a rule (a SEV1 skipped, no reason, nothing to publish): 409/400 with the message."""


@dataclass(frozen=True)
class Postmortem:
    """One incident's post-mortem: its state, due time, newest text and versions (id, author, at), newest first."""

    number: int
    incident_id: int
    severity: Severity
    service: str
    state: str
    due_at: datetime | None
    skip_reason: str | None
    published_at: datetime | None
    published_by: str | None
    text: str
    versions: tuple


def read(conn, number: int) -> Postmortem | None:
    """The post-mortem of incident `number`; None if the incident has none (not resolved yet) or does not exist."""
    query = sa.select(postmortems, incidents.c.number, incidents.c.severity, incidents.c.service).join(incidents)
    row = conn.execute(query.where(incidents.c.number == number)).first()
    if row is None:
        return None
    v = postmortem_versions.c
    versions = conn.execute(
        sa.select(v.id, v.author, v.at, v.text).where(v.incident_id == row.incident_id).order_by(v.id.desc())
    ).all()
    return Postmortem(
        row.number, row.incident_id, Severity(row.severity), row.service, row.state, row.due_at,
        row.skip_reason, row.published_at, row.published_by, versions[0].text if versions else "",
        tuple(versions),
    )  # fmt: skip


def opened(engine, number: int) -> Postmortem | None:
    """The post-mortem as `read`, its draft's text written first if nobody needed it before."""
    with engine.begin() as conn:
        postmortem_drafts.written(conn, number)
        return read(conn, number)


def version(conn, number: int, version_id: int):
    """One version (id, author, at, text) of the incident's post-mortem, or None."""
    v = postmortem_versions.c
    query = sa.select(v.id, v.author, v.at, v.text).join(incidents, incidents.c.id == v.incident_id)
    return conn.execute(query.where(incidents.c.number == number, v.id == version_id)).first()


def save(engine, number: int, text: str, *, now: datetime, actor: str) -> int:
    """A new version of the text (unchanged text saves nothing); the version's id."""
    with engine.begin() as conn:
        postmortem_drafts.written(conn, number)
        found = read(conn, number)
        if found is None:
            raise NotFound(f"INC-{number} has no post-mortem (it is not resolved)")
        return save_text(conn, found, text, now, actor)


def save_text(conn, found: Postmortem, text: str, now: datetime, actor: str) -> int:
    if found.versions and found.text == text:
        return found.versions[0].id
    values = {"incident_id": found.incident_id, "text": text, "author": actor, "at": now}
    return conn.execute(postmortem_versions.insert().values(**values).returning(postmortem_versions.c.id)).scalar_one()


def draft(conn, number: int) -> Postmortem:
    postmortem_drafts.written(conn, number)
    found = read(conn, number)
    if found is None:
        raise NotFound(f"INC-{number} has no post-mortem (it is not resolved)")
    if found.state != postmortem.DRAFT:
        raise Refused(f"the post-mortem of INC-{number} is {found.state} already")
    return found


def finish(conn, incident_id: int, state: str, now: datetime, **values) -> None:
    at = {"published_at": now} if state == postmortem.PUBLISHED else {}
    query = postmortems.update().where(postmortems.c.incident_id == incident_id)
    conn.execute(query.values(state=state, remind_at=None, **at, **values))


def claim_reminders(conn, now: datetime, limit: int) -> list:
    """Incidents whose post-mortem reminder is due (store.escalation.claim)."""
    when = sa.and_(postmortems.c.state == postmortem.DRAFT, postmortems.c.remind_at <= now)
    return claim(conn, when=when, order=postmortems.c.remind_at, limit=limit, join=postmortems)


def overdue_count(conn, now: datetime) -> int:
    """Draft post-mortems past their due time, counted at scrape time."""
    query = sa.select(sa.func.count()).where(postmortems.c.state == postmortem.DRAFT, postmortems.c.due_at <= now)
    return conn.execute(query).scalar_one()


def reminder_due(conn, incident_id: int):
    """The post-mortem row, read again under its incident's lock."""
    return conn.execute(sa.select(postmortems).where(postmortems.c.incident_id == incident_id)).one()


def reminded(conn, incident_id: int, *, remind_at: datetime | None, sent: int) -> None:
    query = postmortems.update().where(postmortems.c.incident_id == incident_id)
    conn.execute(query.values(remind_at=remind_at, reminders_sent=sent))


def acknowledgers(conn, incident_id: int) -> list[str]:
    """Who acknowledged the incident, newest first: each entry's actor, then the PagerDuty user it names."""
    query = sa.select(timeline.c.actor, timeline.c.data)
    query = query.where(timeline.c.incident_id == incident_id, timeline.c.kind == "acknowledged")
    names = []
    for actor, data in conn.execute(query.order_by(timeline.c.id.desc())):
        names += [actor, (data or {}).get("pagerduty_user")]
    return [name for name in names if name]
