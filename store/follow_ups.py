"""Follow-ups (action items): recorded from a published post-mortem, listed across incidents, changed (closed,
reopened, given to another owner or due date) under their incident's row lock, and those of earlier incidents
that a new incident may be the repeat of."""

from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from incidents import follow_ups as core
from incidents.lifecycle import Change
from incidents.postmortem import ActionItem
from incidents.services import Catalog
from store import lifecycle as lifecycle_store
from store import outbox
from store.lifecycle import NotFound
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


def change(engine, follow_up_id: int, *, catalog: Catalog, now: datetime, actor: str, **asked):
    """Close, reopen or reassign (`state`, `owner`, `due_on`, as incidents.follow_ups.change takes them) under
    the follow-up's incident's row lock; the changes are on that incident's timeline, its reminders sent so far
    are resolved at PagerDuty when it closes or moves. NotFound for an unknown id; ValueError for a wrong state."""
    with engine.connect() as conn:
        found = read(conn, follow_up_id)
    if found is None:
        raise NotFound(f"no follow-up {follow_up_id}")
    resolves = []

    def decide(conn, row, lc):
        now_row = conn.execute(sa.select(follow_ups).where(follow_ups.c.id == follow_up_id)).one()
        decided = core.change(item_of(now_row), by=actor, **asked)
        if not decided.entries:
            return Change(lc), None, follow_up_id
        new, entries = decided.item, decided.entries
        values = {"owner_kind": new.owner_kind, "owner_name": new.owner_name, "due_on": new.due_on, "state": new.state}
        values |= {"remind_round": new.round, "reminded": new.reminded, "remind_at": core.first_reminder(new)}
        if new.state != now_row.state:
            values["closed_at"] = now if new.state == core.DONE else None
        conn.execute(follow_ups.update().where(follow_ups.c.id == follow_up_id).values(**values))
        if decided.resolve_reminders:
            why = f"follow-up {'closed' if new.state == core.DONE else 'changed'} by {actor}"
            prefix = core.step_prefix(item_of(now_row)) + ":"
            cancelled, resolve_ids = outbox.resolve_steps(conn, row.id, prefix, why, now)
            entries, resolves[:] = entries + cancelled, resolve_ids
        return Change(lc, entries), None, follow_up_id

    done = lifecycle_store.run(engine, found.number, decide, catalog=catalog, now=now, actor=actor)
    decision = replace(done.decision, page_ids=done.decision.page_ids + tuple(resolves))
    return replace(done, decision=decision)


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
    if conn.dialect.name == "postgresql":
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
    query = (
        sa.select(f.id, their.c.number, their.c.service, their.c.title, f.text, f.owner_kind)
        .add_columns(f.owner_name, f.due_on, overdue.label("overdue"), same_service.label("same_service"))
        .select_from(joined)
        .where(f.state == "open", f.incident_id != incident_id, their.c.number < me.c.number)
        .where(sa.or_(same_service, same_alert))
        .order_by(sa.case((overdue, 0), else_=1), f.due_on.is_(None), f.due_on, f.id)
        .limit(limit)
    )
    return [Earlier(*row) for row in conn.execute(query)]
