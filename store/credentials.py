"""Password hashes of the people who sign in to the web UI, by name."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from store.tables import credentials


def password_hash(conn, name: str) -> str | None:
    """The stored hash for `name`, or None when that person has set no password."""
    return conn.execute(sa.select(credentials.c.password_hash).where(credentials.c.name == name)).scalar()


def save_password_hash(conn, name: str, hashed: str, now: datetime) -> None:
    """Store (or replace) the hash for `name`."""
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(credentials)
    conn.execute(
        insert.values(name=name, password_hash=hashed, updated_at=now).on_conflict_do_update(
            index_elements=[credentials.c.name], set_={"password_hash": hashed, "updated_at": now}
        )
    )
