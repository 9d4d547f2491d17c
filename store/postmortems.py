"""Post-mortems: read, save a version, publish (follow-ups recorded, phase done), skip, and the reminder sweep.

Publishing and skipping lock the incident row like every lifecycle action (store.lifecycle.run); the
sweep claims incidents whose post-mortem reminder is due with `FOR UPDATE OF incidents SKIP LOCKED`,
the same lock in the same order, so two beats never remind twice and never deadlock with a publish.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from incidents import escalation, lifecycle, postmortem
from incidents.lifecycle import Change, Notice, Phase
from incidents.services import Catalog
from incidents.severity import Severity
from store import escalation as escalation_store
from store import follow_ups, lifecycle_rows, postmortem_drafts
from store import lifecycle as lifecycle_store
from store.lifecycle import NotFound
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
    utc = lifecycle_rows.utc
    return Postmortem(
        row.number, row.incident_id, Severity(row.severity), row.service, row.state, utc(row.due_at),
        row.skip_reason, utc(row.published_at), row.published_by, versions[0].text if versions else "",
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
        return _save(conn, found, text, now, actor)


def _save(conn, found: Postmortem, text: str, now: datetime, actor: str) -> int:
    if found.versions and found.text == text:
        return found.versions[0].id
    values = {"incident_id": found.incident_id, "text": text, "author": actor, "at": now}
    return conn.execute(postmortem_versions.insert().values(**values).returning(postmortem_versions.c.id)).scalar_one()


def publish(engine, number: int, text: str | None = None, *, catalog: Catalog, now: datetime, actor: str):
    """Save `text` (if given), record its action items as follow-ups, end the post-mortem phase (done)."""

    def decide(conn, row, lc):
        found = _draft(conn, number)
        text_now = found.text if text is None else text
        _save(conn, found, text_now, now, actor)
        items, problems = postmortem.action_items(text_now)
        if problems:
            raise Refused("; ".join(problems))
        follow_ups.record(conn, row.id, items, catalog=catalog, now=now, by=actor)
        _finish(conn, row.id, postmortem.PUBLISHED, now, published_by=actor)
        return _done(lc, postmortem.published(items, by=actor), now, actor), _resolve_reminders(row), None

    return lifecycle_store.run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def skip(engine, number: int, reason: str, *, catalog: Catalog, now: datetime, actor: str):
    """SEV3 and SEV4 only, with a reason written on the timeline; the phase is done."""

    def decide(conn, row, lc):
        _draft(conn, number)
        try:
            entry = postmortem.skipped(Severity(row.severity), reason, by=actor)
        except ValueError as error:
            raise Refused(str(error)) from None
        _finish(conn, row.id, postmortem.SKIPPED, now, skip_reason=entry.data["reason"])
        return _done(lc, entry, now, actor), _resolve_reminders(row), None

    return lifecycle_store.run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def _draft(conn, number: int) -> Postmortem:
    postmortem_drafts.written(conn, number)
    found = read(conn, number)
    if found is None:
        raise NotFound(f"INC-{number} has no post-mortem (it is not resolved)")
    if found.state != postmortem.DRAFT:
        raise Refused(f"the post-mortem of INC-{number} is {found.state} already")
    return found


def _finish(conn, incident_id: int, state: str, now: datetime, **values) -> None:
    at = {"published_at": now} if state == postmortem.PUBLISHED else {}
    query = postmortems.update().where(postmortems.c.incident_id == incident_id)
    conn.execute(query.values(state=state, remind_at=None, **at, **values))


def _done(lc, entry, now: datetime, actor: str) -> Change:
    """The post-mortem phase ends: the incident is closed (phase done)."""
    moved = lifecycle.enter(lc, Phase.DONE, now, by=actor)
    return Change(moved.lifecycle, (entry,) + moved.entries)


def _resolve_reminders(row) -> escalation.Step:
    """Reminder pages sent to PagerDuty are resolved there (those not sent yet are cancelled)."""
    return escalation.Step(escalation_store.state_of(row), notify="resolve", why="post-mortem finished")


def sweep_reminders(engine, catalog: Catalog, *, now: datetime, limit: int = 50) -> list:
    """Post-mortem reminders due by `now`, for up to `limit` incidents no other beat holds, in one
    transaction; the decisions (notice pages, chat) to hand to the workers once committed."""
    with engine.begin() as conn:
        return [_remind(conn, row, catalog, now) for row in _claim(conn, now, limit)]


def _claim(conn, now: datetime, limit: int) -> list:
    query = (
        sa.select(*escalation_store.STATE_COLUMNS)
        .join(postmortems, postmortems.c.incident_id == incidents.c.id)
        .where(postmortems.c.state == postmortem.DRAFT, postmortems.c.remind_at <= now)
        .order_by(postmortems.c.remind_at)
        .limit(limit)
        .with_for_update(of=incidents, skip_locked=True, key_share=True)
    )
    return conn.execute(query).all()


def _remind(conn, row, catalog: Catalog, now: datetime):
    # Re-read under the lock: another beat may have reminded and committed since this one's snapshot.
    pm = conn.execute(sa.select(postmortems).where(postmortems.c.incident_id == row.id)).one()
    due, remind_at = lifecycle_rows.utc(pm.due_at), lifecycle_rows.utc(pm.remind_at)
    if pm.state != postmortem.DRAFT or remind_at is None or remind_at > now:
        return escalation_store.Applied(row.id, row.esc_token, (), None)
    postmortem_drafts.written(conn, row.number)  # it falls due: somebody will open it now
    lc = lifecycle_rows.load(conn, row)
    notice = _whom(conn, row.id, lc, catalog, due, now)
    entry = postmortem.reminder(due, now, whom=notice.person or "the current on-call level")
    later = [at for at in postmortem.reminder_times(due, lifecycle_rows.utc(pm.created_at)) if at > now]
    update = postmortems.update().where(postmortems.c.incident_id == row.id)
    conn.execute(update.values(remind_at=later[0] if later else None, reminders_sent=pm.reminders_sent + 1))
    change = Change(lc, (entry,), (notice,))
    return lifecycle_store.apply(conn, row, change, None, catalog=catalog, now=now, actor="system")


def _whom(conn, incident_id: int, lc, catalog: Catalog, due: datetime, now: datetime) -> Notice:
    """The commander, else the last person who acknowledged, else the current on-call level."""
    step = "postmortem:overdue" if now >= due else "postmortem:due"
    reason = "post-mortem overdue" if now >= due else f"post-mortem due {postmortem.stamp(due)} UTC"
    person = lc.commander or _last_acknowledger(conn, incident_id, catalog)
    return Notice("commander", step, reason, person) if person else Notice("oncall", step, reason)


def _last_acknowledger(conn, incident_id: int, catalog: Catalog) -> str | None:
    """The newest acknowledgement by a person: its actor, or the PagerDuty user a `pagerduty` one names."""
    query = sa.select(timeline.c.actor, timeline.c.data)
    query = query.where(timeline.c.incident_id == incident_id, timeline.c.kind == "acknowledged")
    for actor, data in conn.execute(query.order_by(timeline.c.id.desc())):
        for name in (actor, (data or {}).get("pagerduty_user")):
            if name in catalog.people:
                return name
    return None


def overdue_count(conn, now: datetime) -> int:
    """Draft post-mortems past their due time, counted at scrape time."""
    query = sa.select(sa.func.count()).where(postmortems.c.state == postmortem.DRAFT, postmortems.c.due_at <= now)
    return conn.execute(query).scalar_one()
