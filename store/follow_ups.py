"""Follow-ups (action items): recorded from a published post-mortem, listed across incidents, saved when changed
(commands.follow_ups), and those of earlier incidents that a new incident may be the repeat of."""

import functools
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from incidents import follow_ups as core
from incidents.postmortem import ActionItem
from incidents.services import Catalog
from store.escalation import claim
from store.tables import alerts, follow_ups, incidents

_DIALECTS = {"postgresql": postgresql, "sqlite": sqlite}


def record(conn, incident_id: int, items: list[ActionItem], *, catalog: Catalog, now: datetime, by: str) -> None:
    """Upsert the items by text: owner, due date and state follow the post-mortem; a newly done one is closed now."""
    if not items:
        return
    rows = [_values(incident_id, item, catalog, now, by) for item in items]
    insert = _DIALECTS[conn.dialect.name].insert(follow_ups)
    was_open = follow_ups.c.state == "open"
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=["incident_id", "text"],
            set_={
                "owner_kind": insert.excluded.owner_kind,
                "owner_name": insert.excluded.owner_name,
                "due_on": insert.excluded.due_on,
                "state": insert.excluded.state,
                "closed_at": sa.case(
                    (insert.excluded.state == "open", None), (was_open, now), else_=follow_ups.c.closed_at
                ),
                "remind_at": insert.excluded.remind_at,
            },
        ),
        rows,
    )


def _values(incident_id: int, item: ActionItem, catalog: Catalog, now: datetime, by: str) -> dict:
    kind = None if item.owner is None else "team" if item.owner in catalog.teams else "user"
    state = "done" if item.done else "open"
    return {
        "incident_id": incident_id,
        "text": item.text[:2000],
        "owner_kind": kind,
        "owner_name": item.owner,
        "due_on": item.due,
        "state": state,
        "source": "postmortem",
        "created_by": by,
        "created_at": now,
        "closed_at": now if item.done else None,
        "remind_at": core.first_reminder(core.FollowUp(0, item.text, kind, item.owner, item.due, state)),
    }


@dataclass(frozen=True)
class Listed:
    """A follow-up as /action-items shows it."""

    id: int
    number: int
    service: str
    text: str
    owner_kind: str | None
    owner_name: str | None
    due_on: date | None
    state: str
    overdue: bool


def listed(conn, *, today: date, owner: str = "", service: str = "", state: str = "open", limit: int = 500):
    """Follow-ups across incidents: overdue first, then by due date (none last), filtered by owner and service."""
    f = follow_ups.c
    overdue = sa.and_(f.state == "open", f.due_on < today)
    query = sa.select(f.id, incidents.c.number, incidents.c.service, f.text, f.owner_kind, f.owner_name, f.due_on)
    query = query.add_columns(f.state, overdue.label("overdue")).join(incidents, incidents.c.id == f.incident_id)
    query = query.where(f.state == state) if state else query
    query = query.where(f.owner_name == owner) if owner else query
    query = query.where(incidents.c.service == service) if service else query
    order = (sa.case((overdue, 0), else_=1), f.due_on.is_(None), f.due_on, f.id)
    return [Listed(*row) for row in conn.execute(query.order_by(*order).limit(limit))]


def overdue_count(conn, today: date) -> int:
    """Open follow-ups whose due date is over, counted at scrape time."""
    f = follow_ups.c
    return conn.execute(sa.select(sa.func.count()).where(f.state == "open", f.due_on < today)).scalar_one()


def item_of(row) -> core.FollowUp:
    """The core's FollowUp of a stored row."""
    return core.FollowUp(
        row.id, row.text, row.owner_kind, row.owner_name, row.due_on, row.state, row.remind_round, row.reminded
    )


def read(conn, follow_up_id: int):
    """One follow-up row with its incident's number and service, or None."""
    query = sa.select(follow_ups, incidents.c.number, incidents.c.service).join(incidents)
    return conn.execute(query.where(follow_ups.c.id == follow_up_id)).first()


def for_update(conn, follow_up_id: int):
    """The follow-up's row, read again under its incident's lock."""
    return conn.execute(sa.select(follow_ups).where(follow_ups.c.id == follow_up_id)).one()


def save(conn, follow_up_id: int, values: dict) -> None:
    conn.execute(follow_ups.update().where(follow_ups.c.id == follow_up_id).values(**values))


@dataclass(frozen=True)
class Earlier:
    """An open follow-up of an earlier incident on the same service or with the same alert name."""

    id: int
    number: int
    service: str
    title: str
    text: str
    owner_kind: str | None
    owner_name: str | None
    due_on: date | None
    overdue: bool
    same_service: bool


def earlier(conn, incident_id: int, *, today: date, limit: int = 50) -> list[Earlier]:
    """Open follow-ups of incidents numbered before this one, on its service or sharing one of its alerts'
    `alertname`; overdue first, then by due date. One query whose work grows with the open follow-ups only: each is
    found through a partial index, its incident through the primary key (a LATERAL subquery on PostgreSQL, which
    would otherwise hash the whole incidents table) and its alerts' names through the alerts' incident index."""
    params = {"incident_id": incident_id, "today": today, "limit": limit}
    return [Earlier(*row) for row in conn.execute(_earlier(conn.dialect.name), params)]


# Built once per dialect: every incident page asks, and building it (an alias, a LATERAL subquery) cost
# more than running it.
@functools.cache
def _earlier(dialect: str) -> sa.Select:
    incident_id, today = sa.bindparam("incident_id"), sa.bindparam("today", type_=sa.Date)
    me = sa.select(incidents.c.number, incidents.c.service).where(incidents.c.id == incident_id).subquery("me")
    name = alerts.c.labels["alertname"].as_string()
    mine = sa.select(name).where(alerts.c.incident_id == incident_id)
    theirs = sa.alias(alerts)
    f = follow_ups.c
    same_alert = (
        sa.select(sa.literal(1))
        .where(theirs.c.incident_id == f.incident_id, theirs.c.labels["alertname"].as_string().in_(mine))
        .limit(1)
        .scalar_subquery()
        .is_not(None)
    )
    if dialect == "postgresql":
        row = sa.select(incidents.c.number, incidents.c.service, incidents.c.title).where(
            incidents.c.id == f.incident_id
        )
        their = row.limit(1).lateral("their")  # LIMIT keeps the planner from flattening it into a hash join
        joined = follow_ups.join(me, sa.true()).join(their, sa.true())
    else:  # SQLite has no LATERAL, and no such planner
        their = incidents.alias("their")
        joined = follow_ups.join(me, sa.true()).join(their, their.c.id == f.incident_id)
    same_service = their.c.service == me.c.service
    overdue = sa.and_(f.due_on.is_not(None), f.due_on < today)
    return (
        sa.select(f.id, their.c.number, their.c.service, their.c.title, f.text, f.owner_kind)
        .add_columns(f.owner_name, f.due_on, overdue.label("overdue"), same_service.label("same_service"))
        .select_from(joined)
        .where(f.state == "open", f.incident_id != incident_id, their.c.number < me.c.number)
        .where(sa.or_(same_service, same_alert))
        .order_by(sa.case((overdue, 0), else_=1), f.due_on.is_(None), f.due_on, f.id)
        .limit(sa.bindparam("limit"))
    )


def claim_reminders(conn, now: datetime, limit: int) -> list:
    """Incidents holding follow-ups whose reminder is due (store.escalation.claim)."""
    due = (
        sa.select(follow_ups.c.incident_id)
        .where(follow_ups.c.state == core.OPEN, follow_ups.c.remind_at <= now)
        .order_by(follow_ups.c.remind_at)
        .limit(limit * 4)  # several follow-ups of one incident count once
    )
    return claim(conn, when=incidents.c.id.in_(due.scalar_subquery()), order=incidents.c.id, limit=limit)


def due_reminders(conn, incident_id: int, now: datetime) -> list[core.FollowUp]:
    """The incident's open follow-ups whose reminder is due by `now`."""
    f = follow_ups.c
    query = sa.select(follow_ups).where(f.incident_id == incident_id, f.state == core.OPEN, f.remind_at <= now)
    return [item_of(row) for row in conn.execute(query.order_by(f.id))]


def reminded(conn, follow_up_id: int, *, remind_at: datetime | None, reminded: str | None) -> None:
    """When the next reminder is due, and which kind was sent last."""
    query = follow_ups.update().where(follow_ups.c.id == follow_up_id)
    conn.execute(query.values(remind_at=remind_at, reminded=reminded))
