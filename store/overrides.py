"""Schedule overrides as stored: added, deleted, and those that meet a time range."""

from datetime import datetime

import sqlalchemy as sa

from incidents.schedules import Override
from store.tables.oncall import schedule_overrides as table


def add(conn, schedule: str, override: Override, *, by: str) -> int:
    """Store an override; its id."""
    values = {"schedule": schedule, "person": override.person, "start_at": override.start, "end_at": override.end}
    query = table.insert().values(**values, created_at=override.created, created_by=by).returning(table.c.id)
    return conn.execute(query).scalar_one()


def delete(conn, schedule: str, override_id: int, *, at: datetime, by: str) -> bool:
    """Mark an override of `schedule` deleted; False if there is none (or it was deleted already)."""
    query = table.update().where(table.c.id == override_id, table.c.schedule == schedule, table.c.deleted_at.is_(None))
    return conn.execute(query.values(deleted_at=at, deleted_by=by)).rowcount == 1


def meeting(conn, schedule: str, since: datetime, until: datetime) -> list[Override]:
    """The schedule's overrides (not deleted) that meet [since, until)."""
    return meeting_each(conn, (schedule,), since, until)[schedule]


def meeting_each(conn, schedules, since: datetime, until: datetime) -> dict[str, list[Override]]:
    """The overrides (not deleted) of each of `schedules` that meet [since, until), in one query."""
    query = sa.select(table).where(
        table.c.schedule.in_(tuple(schedules)),
        table.c.deleted_at.is_(None),
        table.c.end_at > since,
        table.c.start_at < until,
    )
    found: dict[str, list[Override]] = {name: [] for name in schedules}
    for row in conn.execute(query.order_by(table.c.id)):
        found[row.schedule].append(Override(row.person, row.start_at, row.end_at, row.created_at, row.id))
    return found
