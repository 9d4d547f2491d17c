"""SQLite's write lock as store.db asks for it (make run's embedded database): a writer waits for a
writer before it, gets the lock once it is released, and past the wait fails as SQLAlchemy's
OperationalError, which the consumer and the web take for "the database is away"."""

import threading

import pytest
import sqlalchemy as sa

from store import db

ROWS = sa.table("rows", sa.column("n"))


@pytest.fixture
def sqlite(tmp_path):
    engine = db.create_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE rows (n INTEGER)")
    yield engine
    engine.dispose()


def test_a_writer_waits_for_the_writer_before_it_and_writes_after_it(sqlite):
    order, holding = [], threading.Event()

    def second():
        holding.wait()
        with sqlite.begin() as conn:
            order.append("second began")
            conn.execute(ROWS.insert().values(n=2))

    thread = threading.Thread(target=second)
    thread.start()
    with sqlite.begin() as conn:
        conn.execute(ROWS.insert().values(n=1))
        holding.set()
        thread.join(0.3)  # the second writer is waiting meanwhile
        assert thread.is_alive() and order == []
        order.append("first committed")
    thread.join(5)
    assert order == ["first committed", "second began"]
    with sqlite.connect() as conn:
        assert conn.execute(sa.select(ROWS.c.n)).scalars().all() == [1, 2]
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == db.WRITE_LOCK_WAIT * 1000


def test_past_the_wait_a_writer_gets_sqlalchemys_operational_error(sqlite, monkeypatch):
    monkeypatch.setattr(db, "WRITE_LOCK_WAIT", 0.1)
    failed = []

    def second():
        try:
            with sqlite.begin():
                pass
        except sa.exc.OperationalError as error:
            failed.append(str(error))

    with sqlite.begin() as conn:
        conn.execute(ROWS.insert().values(n=1))
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(5)
    assert len(failed) == 1 and "locked" in failed[0]


def test_a_reader_takes_no_write_lock(sqlite):
    with sqlite.begin() as writing, sqlite.connect() as other:
        writing.execute(ROWS.insert().values(n=1))
        assert db.reading(other).execute(sa.select(sa.func.count()).select_from(ROWS)).scalar_one() == 0
