"""Acknowledgement links, used once: the acknowledgement and the link's use commit together."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from incidents import escalation
from incidents.links import Link, LinkOutcome, outcome
from incidents.services import Catalog
from store import escalation as store
from store.tables import used_links


def is_used(conn, link_id: str) -> bool:
    return conn.execute(sa.select(used_links.c.link_id).where(used_links.c.link_id == link_id)).first() is not None


def acknowledge_by_link(
    engine: sa.Engine, link: Link, link_id: str, *, catalog: Catalog, now: datetime
) -> tuple[LinkOutcome, object]:
    """(the outcome, decided by incidents.links.outcome; the decision applied, or None)."""
    with engine.begin() as conn:
        row = store.lock(conn, incident_id=link.incident_id)
        found = outcome(row.status if row else None, used=row is not None and is_used(conn, link_id))
        if found != LinkOutcome.ACKNOWLEDGED:
            return found, None
        insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(used_links)
        claimed = conn.execute(
            insert.values(link_id=link_id, used_at=now).on_conflict_do_nothing().returning(used_links.c.link_id)
        ).first()
        if claimed is None:  # used meanwhile
            return LinkOutcome.USED, None
        who = link.target.replace(":", " ", 1)
        step = escalation.acknowledge(
            store.plan_of(row), store.state_of(row), now, by=f"{who} through the acknowledgement link"
        )
        return LinkOutcome.ACKNOWLEDGED, store.apply(conn, row, step, catalog=catalog, now=now, actor=link_actor(link))


def link_actor(link: Link) -> str:
    """Who acted through a link: the person it was sent to (`alice`), or the team (`team:sre`)."""
    kind, _, name = link.target.partition(":")
    return name if kind == "user" else link.target
