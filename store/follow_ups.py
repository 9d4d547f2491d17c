"""Follow-ups (action items): recorded from a published post-mortem, listed across incidents."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from incidents.postmortem import ActionItem
from incidents.services import Catalog
from store.tables import follow_ups, incidents

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
            },
        ),
        rows,
    )


def _values(incident_id: int, item: ActionItem, catalog: Catalog, now: datetime, by: str) -> dict:
    kind = None if item.owner is None else "team" if item.owner in catalog.teams else "user"
    return {
        "incident_id": incident_id,
        "text": item.text[:2000],
        "owner_kind": kind,
        "owner_name": item.owner,
        "due_on": item.due,
        "state": "done" if item.done else "open",
        "source": "postmortem",
        "created_by": by,
        "created_at": now,
        "closed_at": now if item.done else None,
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
