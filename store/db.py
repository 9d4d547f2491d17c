"""Engines: PostgreSQL in production, a SQLite file as the embedded default."""

import random
import sqlite3
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

# SQLite's own wait for a lock (busy_timeout) sleeps longer the longer it has waited, up to 100 ms
# between attempts, while a newcomer tries again after 1, 2, 5 ms: under a stream of writers an early
# waiter lost to each newcomer and waited seconds (bench.embedded: p99 1.2 s, some past 2 s). The write
# lock is asked for here instead, every 1-4 ms for each waiter alike, up to the same 30 s.
WRITE_LOCK_WAIT = 30.0
WRITE_LOCK_POLL = (0.001, 0.004)


def normalise_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3, the driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_engine(url: str, **kwargs) -> sa.Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and write-locking transactions."""
    url = normalise_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        kwargs.setdefault("pool_size", 5)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_recycle", 1800)
        engine = sa.create_engine(url, **kwargs)
        sa.event.listen(engine, "connect", _postgresql_connect)
        return engine
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30}, **kwargs)
    sa.event.listen(engine, "connect", _sqlite_connect)
    sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def _postgresql_connect(dbapi_connection, _record):
    # No JIT: compiling a query costs a few hundred ms of CPU, and the planner's cost estimate, not the
    # query's real time, decides. Beat's sweep of open incidents (5 ms) cost 500 ms of JIT every 2 s
    # tick; the reports, the longest queries here, ran as fast or faster without it. A SET, not the
    # connection's `options`, so that options the operator passes (URL, PGOPTIONS) still hold.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


def _sqlite_connect(dbapi_connection, _record):
    # Let SQLAlchemy, not pysqlite, issue BEGIN: see "Serializable isolation / Savepoints" in
    # SQLAlchemy's SQLite dialect docs.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={WRITE_LOCK_WAIT * 1000:.0f}")
    cursor.close()


READING = "incidents_reading"  # the execution option that marks a reading connection


def reading(conn: sa.Connection) -> sa.Connection:
    """`conn` for reads only: on SQLite its transactions take no write lock, so writers carry on."""
    return conn.execution_options(**{READING: True})


def _sqlite_begin(connection):
    # IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading a read lock.
    # A reading connection must not: it would hold that lock, and stall every writer, while it reads.
    if connection.get_execution_options().get(READING, False):
        connection.exec_driver_sql("BEGIN")
        return
    _begin_writing(connection)


def _begin_writing(connection) -> None:
    """BEGIN IMMEDIATE, tried every few ms until the write lock is ours (see WRITE_LOCK_POLL); past the
    wait, or on another error, once more through SQLAlchemy, which raises its own OperationalError."""
    dbapi_connection = connection.connection.dbapi_connection
    deadline = time.monotonic() + WRITE_LOCK_WAIT
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        while time.monotonic() < deadline:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error):
                    break
            time.sleep(random.uniform(*WRITE_LOCK_POLL))
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={WRITE_LOCK_WAIT * 1000:.0f}")
