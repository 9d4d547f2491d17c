"""Rows of people's work on an incident: status updates, actions, notes, and a declared incident."""

from datetime import datetime

import sqlalchemy as sa

from incidents import checklist
from store.lifecycle_rows import action_of
from store.tables import incident_actions, incidents, status_updates, timeline


def insert_update(conn, incident_id: int, values: dict, *, author: str, at: datetime) -> int:
    """A status update's row (status_word, text, eta, eta_at, public); its id."""
    query = status_updates.insert().values(incident_id=incident_id, author=author, at=at, **values)
    return conn.execute(query.returning(status_updates.c.id)).scalar_one()


def has_entry(conn, incident_id: int, entry_id: int) -> bool:
    """Whether timeline entry `entry_id` is the incident's."""
    query = sa.select(timeline.c.id).where(timeline.c.id == entry_id, timeline.c.incident_id == incident_id)
    return conn.execute(query).first() is not None


def actions_of(conn, incident_id: int) -> list[checklist.Action]:
    query = sa.select(incident_actions).where(incident_actions.c.incident_id == incident_id)
    return [action_of(row) for row in conn.execute(query.order_by(incident_actions.c.id))]


def insert_action(conn, incident_id: int, action: checklist.Action) -> int:
    values = {"text": action.text, "created_by": action.created_by, "created_at": action.created_at}
    query = incident_actions.insert().values(incident_id=incident_id, **values).returning(incident_actions.c.id)
    return conn.execute(query).scalar_one()


def update_action(conn, action: checklist.Action) -> None:
    values = {"done": action.done, "done_by": action.done_by, "done_at": action.done_at, "assignee": action.assignee}
    conn.execute(incident_actions.update().where(incident_actions.c.id == action.id).values(**values))


def insert_incident(conn, values: dict) -> int:
    """A new incident row (a declared one: no alerts); its id. Numbered by the command that opens it."""
    return conn.execute(incidents.insert().values(**values).returning(incidents.c.id)).scalar_one()


def open_twin(conn, row) -> int | None:
    """The number of an open incident of the same service and alert group as `row` (only one may be open)."""
    twin = incidents.alias("twin")
    query = (
        sa.select(twin.c.number)
        .select_from(twin.join(incidents, incidents.c.id == row.id))
        .where(
            twin.c.service == incidents.c.service,
            twin.c.group_hash == incidents.c.group_hash,
            twin.c.status != "resolved",
            twin.c.id != row.id,
        )
    )
    return conn.execute(query.limit(1)).scalar()
