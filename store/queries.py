"""Reading incidents for the API: lists with filters and pages, and one incident in full."""

from dataclasses import dataclass

import sqlalchemy as sa

from store.tables import alerts, incidents, timeline


class NotFound(Exception):
    """No such incident, action, timeline entry or post-mortem (404)."""


INCIDENT_COLUMNS = (
    incidents.c.id,
    incidents.c.number,
    incidents.c.service,
    incidents.c.group_key,
    incidents.c.status,
    incidents.c.severity,
    incidents.c.title,
    incidents.c.source,
    incidents.c.opened_at,
    incidents.c.acknowledged_at,
    incidents.c.resolved_at,
    incidents.c.last_alert_at,
    incidents.c.alert_events,
)


@dataclass(frozen=True)
class IncidentFilter:
    """Filters of the incident list; None means any."""

    statuses: tuple[str, ...] = ()
    severities: tuple[int, ...] = ()
    services: tuple[str, ...] = ()


def list_incidents(
    conn, where: IncidentFilter, *, limit: int, offset: int, open_first: bool = False
) -> tuple[list, int]:
    """A page of incidents, newest first (open ones before resolved ones with `open_first`), and the total."""
    conditions = []
    if where.statuses:
        conditions.append(incidents.c.status.in_(where.statuses))
    if where.severities:
        conditions.append(incidents.c.severity.in_(where.severities))
    if where.services:
        conditions.append(incidents.c.service.in_(where.services))
    query = sa.select(*INCIDENT_COLUMNS).where(incidents.c.number.is_not(None), *conditions)
    total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    order = (incidents.c.number.desc(),)
    if open_first:
        order = (sa.case((incidents.c.status == "resolved", 1), else_=0), *order)
    rows = conn.execute(query.order_by(*order).limit(limit).offset(offset)).all()
    return rows, total


def get_incident(conn, number: int, *, by_id: bool = False):
    """(incident, its alerts, its timeline), or None when there is no such number (or id)."""
    key = incidents.c.id if by_id else incidents.c.number
    incident = conn.execute(sa.select(*INCIDENT_COLUMNS).where(key == number)).first()
    if incident is None:
        return None
    alert_rows = conn.execute(
        sa.select(alerts).where(alerts.c.incident_id == incident.id).order_by(alerts.c.first_seen, alerts.c.id)
    ).all()
    entries = conn.execute(
        sa.select(timeline).where(timeline.c.incident_id == incident.id).order_by(timeline.c.id)
    ).all()
    return incident, alert_rows, entries
