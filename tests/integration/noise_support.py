"""Helpers for the noise control tests: a catalog with a flap hold or page budget, what an incident got."""

import dataclasses

import sqlalchemy as sa

from incidents.services import Catalog
from store.tables import incidents, pages, timeline


def with_service(catalog: Catalog, name: str, **changes) -> Catalog:
    """The catalog with service `name` changed (a flap hold, a page budget)."""
    services = tuple(dataclasses.replace(s, **changes) if s.name == name else s for s in catalog.services)
    return dataclasses.replace(catalog, services=services)


def triggers(engine, incident_id=None) -> list:
    """(incident, step, target, status) of trigger pages."""
    where = [pages.c.action == "trigger"] + ([pages.c.incident_id == incident_id] if incident_id else [])
    with engine.connect() as conn:
        query = sa.select(pages.c.incident_id, pages.c.step, pages.c.target_name, pages.c.status).where(*where)
        return conn.execute(query.order_by(pages.c.id)).all()


def said(engine, incident_id, kind) -> list[str]:
    with engine.connect() as conn:
        query = sa.select(timeline.c.message).where(timeline.c.incident_id == incident_id, timeline.c.kind == kind)
        return list(conn.execute(query.order_by(timeline.c.id)).scalars())


def opened_at(engine, incident_id):
    with engine.connect() as conn:
        return conn.execute(sa.select(incidents.c.opened_at).where(incidents.c.id == incident_id)).scalar_one()
