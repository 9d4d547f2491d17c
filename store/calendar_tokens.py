"""Calendar feeds' nonces as stored (store.tables.calendars): read, created once, replaced on a reset."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from incidents.calendars import Feed
from store.tables import calendar_tokens as table

_DIALECTS = {"postgresql": postgresql, "sqlite": sqlite}


def nonce(conn, feed: Feed) -> str | None:
    """The feed's nonce, or None when it has no URL yet."""
    query = sa.select(table.c.nonce).where(table.c.kind == feed.kind, table.c.owner == feed.owner)
    return conn.execute(query).scalar()


def create(conn, feed: Feed, new_nonce: str, *, now: datetime) -> str:
    """Store `new_nonce` unless the feed has one already (two first uses at once keep the first); the stored one."""
    values = {"kind": feed.kind, "owner": feed.owner, "nonce": new_nonce, "created_at": now}
    conn.execute(_DIALECTS[conn.dialect.name].insert(table).values(values).on_conflict_do_nothing())
    return nonce(conn, feed)


def replace(conn, feed: Feed, new_nonce: str, *, now: datetime) -> None:
    """Store `new_nonce` for the feed, in place of any earlier one."""
    values = {"kind": feed.kind, "owner": feed.owner, "nonce": new_nonce, "created_at": now}
    insert = _DIALECTS[conn.dialect.name].insert(table).values(values)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.kind, table.c.owner], set_={"nonce": new_nonce, "created_at": now}
        )
    )


def every_nonce(conn) -> list[tuple[Feed, str]]:
    """Each feed that has a URL, with its nonce."""
    rows = conn.execute(sa.select(table.c.kind, table.c.owner, table.c.nonce))
    return [(Feed(row.kind, row.owner), row.nonce) for row in rows]
