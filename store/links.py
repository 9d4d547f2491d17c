"""Acknowledgement links, used once: the acknowledgement and the link's use commit together."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from incidents import escalation
from incidents.links import Link
from incidents.services import Catalog
from store import escalation as store
from store.tables import used_links


def is_used(conn, link_id: str) -> bool:
    return conn.execute(sa.select(used_links.c.link_id).where(used_links.c.link_id == link_id)).first() is not None


def acknowledge_by_link(
    engine: sa.Engine, link: Link, link_id: str, *, catalog: Catalog, now: datetime
) -> tuple[str, object]:
    """("acknowledged" | "already_acknowledged" | "used" | "resolved" | "unknown", the decision or None)."""
    with engine.begin() as conn:
        row = store.lock(conn, incident_id=link.incident_id)
        if row is None:
            return "unknown", None
        if row.status == escalation.RESOLVED:
            return "resolved", None
        if is_used(conn, link_id):
            return "used", None
        if row.status == escalation.ACKNOWLEDGED:  # someone was faster: the link stays usable
            return "already_acknowledged", None
        insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(used_links)
        claimed = conn.execute(
            insert.values(link_id=link_id, used_at=now).on_conflict_do_nothing().returning(used_links.c.link_id)
        ).first()
        if claimed is None:
            return "used", None
        who = link.target.replace(":", " ", 1)
        step = escalation.acknowledge(
            store.plan_of(row), store.state_of(row), now, by=f"{who} through the acknowledgement link"
        )
        return "acknowledged", store.apply(conn, row, step, catalog=catalog, now=now)
