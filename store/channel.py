"""Reading an incident's lifecycle, checklist and updates, and the incident channel they make."""

from types import SimpleNamespace

import sqlalchemy as sa

from incidents import channel
from incidents.lifecycle import StatusWord
from incidents.services import Catalog
from incidents.severity import Severity
from incidents.updates import Update
from store import lifecycle_rows
from store.lifecycle_rows import action_of
from store.queries import get_incident
from store.tables import incident_actions, incident_lifecycle, status_updates


def lifecycle_of(conn, incident) -> tuple:
    """(Lifecycle, actions, updates) of an incident row (from store.queries); a fresh lifecycle if none."""
    stored = conn.execute(sa.select(incident_lifecycle).where(incident_lifecycle.c.incident_id == incident.id)).first()
    lc = lifecycle_rows.from_row(stored) if stored else lifecycle_rows.begin(conn, incident)
    actions = conn.execute(
        sa.select(incident_actions).where(incident_actions.c.incident_id == incident.id).order_by(incident_actions.c.id)
    ).all()
    updates = conn.execute(
        sa.select(status_updates).where(status_updates.c.incident_id == incident.id).order_by(status_updates.c.id)
    ).all()
    return lc, [action_of(a) for a in actions], [update_of(u) for u in updates]


def update_of(row) -> Update:
    """The Update value of a stored row."""
    at, eta_at = row.at, row.eta_at
    return Update(StatusWord(row.status_word), row.text, row.eta, eta_at, row.author, at, row.public)


def channel_of(conn, number: int, catalog: Catalog) -> channel.Channel | None:
    """What the incident channel shows of incident `number`, or None."""
    found = get_incident(conn, number)
    if found is None:
        return None
    incident, _, entries = found
    lc, actions, updates = lifecycle_of(conn, incident)
    rows = [SimpleNamespace(**e._asdict(), when=e.at) for e in entries]
    rows = [SimpleNamespace(id=r.id, at=r.when, kind=r.kind, message=r.message, data=r.data) for r in rows]
    return channel.Channel(
        incident.number,
        incident.title,
        Severity(incident.severity),
        lc.status_word,
        lc.impact,
        lc.commander,
        catalog.label_of(lc.commander) if lc.commander else "",
        lc.affected,
        channel.key_events(rows, pinned=lc.pinned, source=incident.source),
        tuple(actions),
        tuple(updates),
        incident.resolved_at if incident.status == "resolved" else None,
    )
