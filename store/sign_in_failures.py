"""Failed sign-ins by name, so that a name is throttled after too many, known to people.yaml or not."""

from datetime import datetime

import sqlalchemy as sa

from store.tables import sign_in_failures


def failures_since(conn, name: str, since: datetime) -> int:
    """How many sign-ins failed for `name` since `since`."""
    query = sa.select(sa.func.count()).where(sign_in_failures.c.name == name, sign_in_failures.c.at >= since)
    return conn.execute(query).scalar_one()


def record_failure(conn, name: str, now: datetime) -> None:
    conn.execute(sign_in_failures.insert().values(name=name, at=now))


def forget_failures(conn, name: str, before: datetime) -> None:
    """Drop `name`'s failures (after a good sign-in), and everyone's older than `before`."""
    conn.execute(
        sign_in_failures.delete().where(sa.or_(sign_in_failures.c.name == name, sign_in_failures.c.at < before))
    )
