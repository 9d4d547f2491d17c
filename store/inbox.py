"""The intake inbox: the request ledger (`raw_requests`) as a queue.

A request is appended in one committed statement before the sender is answered; the consumer claims
what waits, in id order, applies it and marks it applied in the same transaction, so a request is
applied once, whatever dies when. Each request has a lane, its group's: a consumer holds the lanes it
applies for its whole transaction (an advisory lock on PostgreSQL; SQLite's one writer elsewhere), so
several consumers can run and each group is still applied in arrival order, by one of them.
"""

import zlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from store.tables import Time, raw_requests

LANES = 8
NOTIFY_CHANNEL = "incidents_inbox"
_LOCK_CLASS = 0x1B0C  # the advisory lock space of the inbox's lanes: (class, lane)


def lane_of(group_key: str) -> int:
    """The lane of a group: every request of one group is applied by one consumer at a time, in order."""
    return zlib.crc32(group_key.encode("utf-8")) % LANES


@dataclass(frozen=True)
class Stored:
    """A request as the inbox holds it."""

    id: int
    source: str
    body: bytes
    received_at: datetime
    request_id: str | None


# PostgreSQL: the row and the consumer's wake-up in one autocommitted statement, compiled once.
_APPEND_AND_NOTIFY = f"""
WITH stored AS (
    INSERT INTO raw_requests (source, received_at, body, remote_addr, user_agent, request_id, lane)
    VALUES (%(source)s, %(received_at)s, %(body)s, %(remote_addr)s, %(user_agent)s, %(request_id)s, %(lane)s)
    RETURNING id
)
SELECT id, pg_notify('{NOTIFY_CHANNEL}', '') FROM stored
"""
_APPEND = raw_requests.insert().returning(raw_requests.c.id)


def append(engine: sa.Engine, **row) -> int:
    """Store a request (source, received_at, body, remote_addr, user_agent, request_id, lane), committed;
    on PostgreSQL, wake the consumers."""
    row["remote_addr"], row["user_agent"] = row["remote_addr"][:64], row["user_agent"][:256]
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return conn.exec_driver_sql(_APPEND_AND_NOTIFY, row).scalar_one()
    with engine.begin() as conn:
        return conn.execute(_APPEND, row).scalar_one()


_FREE_LANES = sa.text(
    "SELECT lane FROM generate_series(0, :last) AS lane WHERE pg_try_advisory_xact_lock(:class, lane)"
).bindparams(last=LANES - 1, **{"class": _LOCK_CLASS})
_PENDING = sa.select(
    raw_requests.c.id,
    raw_requests.c.source,
    raw_requests.c.body,
    raw_requests.c.received_at,
    raw_requests.c.request_id,
).where(raw_requests.c.applied_at.is_(None))


def claim(conn, *, limit: int) -> list[Stored]:
    """The oldest requests waiting in the lanes no other consumer holds, locked until this
    transaction ends; the lanes stay held until then."""
    query = _PENDING
    if conn.dialect.name == "postgresql":
        lanes = conn.execute(_FREE_LANES).scalars().all()
        if not lanes:
            return []
        query = query.where(raw_requests.c.lane.in_(lanes)).with_for_update(skip_locked=True)
    rows = conn.execute(query.order_by(raw_requests.c.id).limit(limit)).all()
    return [Stored(r.id, r.source, bytes(r.body), r.received_at, r.request_id) for r in rows]


_MARK = (
    raw_requests.update()
    .where(raw_requests.c.id == sa.bindparam("row_id"))
    .values(
        applied_at=sa.bindparam("at", type_=Time),
        incidents=sa.bindparam("numbers", type_=raw_requests.c.incidents.type),
    )
)


def mark_applied(conn, outcomes: dict[int, list[int]], now: datetime) -> None:
    """Mark requests applied, each with the numbers of the incidents it went to."""
    if outcomes:
        conn.execute(_MARK, [{"row_id": row_id, "at": now, "numbers": numbers} for row_id, numbers in outcomes.items()])


def mark_failed(conn, row_ids: list[int], error: str, now: datetime) -> None:
    """Mark requests that cannot be applied as done, with the error instead of incident numbers."""
    for row_id in row_ids:
        conn.execute(_MARK, {"row_id": row_id, "at": now, "numbers": {"error": error[:1000]}})


def pending_count(conn, *, up_to: int | None = None) -> int:
    """Requests stored and not applied yet (the inbox's backlog), or those of them up to id `up_to`."""
    query = sa.select(sa.func.count()).where(raw_requests.c.applied_at.is_(None))
    if up_to is not None:
        query = query.where(raw_requests.c.id <= up_to)
    return conn.execute(query).scalar_one()


def last_id(conn) -> int:
    """The id of the newest stored request (0 if none)."""
    return conn.execute(sa.select(sa.func.coalesce(sa.func.max(raw_requests.c.id), 0))).scalar_one()


def find(conn, request_id: str):
    """(applied_at, incident numbers) of the request answered with `request_id` (the newest, should a
    caller have sent its own X-Request-Id twice); None if unknown."""
    query = sa.select(raw_requests.c.applied_at, raw_requests.c.incidents).where(
        raw_requests.c.request_id == request_id
    )
    return conn.execute(query.order_by(raw_requests.c.id.desc()).limit(1)).first()


def reopen(conn, *, since_id: int, source: str | None, exclude: tuple[str, ...]) -> int:
    """Mark requests with id >= since_id pending again (replay): the consumer applies them again."""
    query = raw_requests.update().where(raw_requests.c.id >= since_id, raw_requests.c.source.not_in(exclude))
    if source:
        query = query.where(raw_requests.c.source == source)
    return conn.execute(query.values(applied_at=None)).rowcount
