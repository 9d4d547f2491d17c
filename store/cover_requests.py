"""Cover requests as stored (incidents.cover decides what may happen to them)."""

from datetime import datetime

import sqlalchemy as sa

from incidents.cover import CoverRequest
from incidents.utc import utc
from store.tables import cover_requests as table


def add(conn, schedule: str, requester: str, start: datetime, end: datetime, note: str, *, now: datetime, by: str):
    """Store a request; it, with its id."""
    values = {"schedule": schedule, "requester": requester, "start_at": start, "end_at": end, "note": note}
    query = table.insert().values(**values, created_at=now, created_by=by).returning(table.c.id)
    return CoverRequest(conn.execute(query).scalar_one(), schedule, requester, start, end, note, now)


def locked(conn, schedule: str, request_id: int) -> CoverRequest | None:
    """The request, its row locked until commit (two people taking it at once: one waits, then sees it taken)."""
    query = sa.select(table).where(table.c.id == request_id, table.c.schedule == schedule).with_for_update()
    row = conn.execute(query).first()
    return _request(row) if row else None


def take(conn, request_id: int, taker: str, override_id: int, *, now: datetime) -> None:
    values = {"taken_by": taker, "taken_at": now, "override_id": override_id}
    conn.execute(table.update().where(table.c.id == request_id).values(values))


def cancel(conn, request_id: int, *, now: datetime, by: str) -> None:
    conn.execute(table.update().where(table.c.id == request_id).values(cancelled_at=now, cancelled_by=by))


def listed(conn, *, since: datetime, schedules=None, requester: str | None = None) -> list[CoverRequest]:
    """Requests not ended by `since`, by start; of some schedules or one requester only when asked."""
    query = sa.select(table).where(table.c.end_at > since)
    if schedules is not None:
        query = query.where(table.c.schedule.in_(tuple(schedules)))
    if requester is not None:
        query = query.where(table.c.requester == requester)
    return [_request(row) for row in conn.execute(query.order_by(table.c.start_at, table.c.id))]


def _request(row) -> CoverRequest:
    return CoverRequest(
        row.id,
        row.schedule,
        row.requester,
        utc(row.start_at),
        utc(row.end_at),
        row.note,
        utc(row.created_at),
        row.taken_by,
        utc(row.taken_at),
        utc(row.cancelled_at),
    )
