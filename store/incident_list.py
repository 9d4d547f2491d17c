"""The incident list people see: the API's filters plus the commander, with what its badges need."""

import sqlalchemy as sa

from store.queries import INCIDENT_COLUMNS, IncidentFilter
from store.tables import incident_lifecycle, incidents

LIFECYCLE_COLUMNS = (
    incident_lifecycle.c.commander,
    incident_lifecycle.c.breaches,
    incident_lifecycle.c.next_update_due_at,
    incident_lifecycle.c.update_misses,
)


def list_for_people(conn, where: IncidentFilter, commanders: tuple[str, ...], *, limit: int, offset: int):
    """A page of incidents, open ones first then newest, with commander and breaches; and the total."""
    conditions = [incidents.c.number.is_not(None)]
    if where.statuses:
        conditions.append(incidents.c.status.in_(where.statuses))
    if where.severities:
        conditions.append(incidents.c.severity.in_(where.severities))
    if where.services:
        conditions.append(incidents.c.service.in_(where.services))
    if commanders:
        conditions.append(incident_lifecycle.c.commander.in_(commanders))
    joined = incidents.outerjoin(incident_lifecycle, incident_lifecycle.c.incident_id == incidents.c.id)
    count = sa.select(sa.func.count()).select_from(joined).where(*conditions)
    total = conn.execute(count).scalar_one()
    order = (sa.case((incidents.c.status == "resolved", 1), else_=0), incidents.c.number.desc())
    query = sa.select(*INCIDENT_COLUMNS, *LIFECYCLE_COLUMNS).select_from(joined).where(*conditions)
    return conn.execute(query.order_by(*order).limit(limit).offset(offset)).all(), total
