"""Engines: PostgreSQL in production, a SQLite file as the embedded default."""

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url


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
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


READING = "incidents_reading"  # the execution option that marks a reading connection


def reading(conn: sa.Connection) -> sa.Connection:
    """`conn` for reads only: on SQLite its transactions take no write lock, so writers carry on."""
    return conn.execution_options(**{READING: True})


def _sqlite_begin(connection):
    # IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading a read lock.
    # A reading connection must not: it would hold that lock, and stall every writer, while it reads.
    reads_only = connection.get_execution_options().get(READING, False)
    connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")
