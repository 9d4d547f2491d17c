"""The status page's snapshot: served while the database is unreachable (with its age), from disk after
a restart, and refreshed by one request at a time however many readers come.

The database is never stopped (others share it): the app's snapshot builder is pointed at a closed port.
"""

import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tests.integration.status_paging import QueryCount, declare, fresh, update
from tests.support import applying_app, eventually, free_port


def unreachable_engine():
    return sa.create_engine(
        f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing", poolclass=sa.pool.NullPool
    )


def test_the_last_snapshot_is_served_with_its_age_while_the_database_is_unreachable(app, client):
    number = declare(client, "payment-service", "SEV2")
    update(client, number, "Card payments are failing.", public=True)
    built = datetime.now(UTC)
    fresh(app, client, built)
    cache = app.extensions["status_page"]
    cache.build.engine = unreachable_engine()
    cache.clock = lambda: built + timedelta(minutes=3)
    assert not cache.refresh()  # refused, logged, counted: the last good snapshot stays
    page = client.get("/status")
    assert page.status_code == 200
    assert "updated 3 minutes ago" in page.text and "Card payments are failing." in page.text
    assert client.get("/status.json").get_json()["components"][0]["status"] == "partial_outage"


def test_a_restarted_web_process_serves_the_snapshot_on_disk_while_the_database_is_unreachable(
    app, client, settings, catalog
):
    number = declare(client, "payment-service", "SEV1")
    update(client, number, "Payments are down.", public=True)
    fresh(app, client)
    restarted = applying_app(settings, catalog=catalog, engine=unreachable_engine())
    answer = restarted.test_client().get("/status")
    assert answer.status_code == 200 and "Payments are down." in answer.text and "Major outage" in answer.text


def test_without_any_snapshot_and_no_database_the_page_says_503(settings, catalog):
    cold = applying_app(settings, catalog=catalog, engine=unreachable_engine())
    answer = cold.test_client().get("/status")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "30"


def test_a_stale_snapshot_is_refreshed_once_for_many_concurrent_readers(app, client, engine):
    fresh(app, client)
    cache = app.extensions["status_page"]
    first = cache.current().built_at
    cache.clock = lambda: first + timedelta(minutes=1)
    queries = QueryCount(engine, "incidents")
    answers, start = [], threading.Barrier(50)

    def read():
        start.wait()
        answers.append(app.test_client().get("/status.json").status_code)

    readers = [threading.Thread(target=read) for _ in range(50)]
    try:
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
        eventually(lambda: cache.current().built_at > first, timeout=10)
    finally:
        queries.stop()
    assert answers == [200] * 50
    assert len(queries.statements) == 1


def test_a_fresh_snapshot_is_served_without_touching_the_database(app, client, engine):
    fresh(app, client)
    queries = QueryCount(engine, "incidents")
    try:
        for _ in range(20):
            assert client.get("/status").status_code == 200
    finally:
        queries.stop()
    assert queries.statements == []
