"""Acknowledgement links, used once: whether one was, and its use (commands.links acknowledges)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from store.tables import used_links


def is_used(conn, link_id: str) -> bool:
    return conn.execute(sa.select(used_links.c.link_id).where(used_links.c.link_id == link_id)).first() is not None


def use(conn, link_id: str, now: datetime) -> bool:
    """Mark the link used; False if it was used meanwhile (its use commits with the acknowledgement)."""
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(used_links)
    query = insert.values(link_id=link_id, used_at=now).on_conflict_do_nothing().returning(used_links.c.link_id)
    return conn.execute(query).first() is not None
