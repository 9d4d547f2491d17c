"""The intake inbox: a request is stored and answered, then the consumer applies it, in order per group,
once, with repeats folded; what a request became is GET /api/requests/<request_id>."""

import dataclasses
import threading

import pytest
import sqlalchemy as sa

from server.app import create_app
from store.db import create_engine
from store.migrate import upgrade
from store.tables import alerts, incidents, raw_requests, timeline
from tests.integration.spoiling import ALERTMANAGER, BEARER, firing_alert, webhook
from tests.support import READ
from workers import inbox as consumer
from workers import metrics


@pytest.fixture(params=["postgresql", "sqlite"])
def stored_only(request, settings, catalog, tmp_path):
    """(engine, client) of an app that stores and answers, as the web process does, and applies nothing:
    the test runs the consumer itself. On PostgreSQL and on SQLite (the embedded default)."""
    if request.param == "postgresql":
        engine = request.getfixturevalue("engine")
        yield engine, create_app(settings, catalog=catalog, engine=engine).test_client()
        return
    url = f"sqlite:///{tmp_path / 'incidents.db'}"
    upgrade(url)
    engine = create_engine(url)
    local = dataclasses.replace(settings, database_url=url)
    yield engine, create_app(local, catalog=catalog, engine=engine).test_client()
    engine.dispose()


def alert(name: str, status: str = "firing") -> dict:
    return {**firing_alert(service="checkout", instance=name), "status": status, "fingerprint": name}


def group(*sent: dict, key: str = "checkout", status: str = "firing") -> dict:
    return {**webhook(*sent), "groupKey": f'{{}}:{{alertname="{key}"}}', "status": status}


def send(client, body) -> str:
    response = client.post(ALERTMANAGER, json=body, headers=BEARER)
    assert response.status_code == 200, response.get_json()
    assert set(response.get_json()) == {"status", "request_id"}
    return response.get_json()["request_id"]


def state(client, request_id) -> dict:
    response = client.get(f"/api/requests/{request_id}", headers=READ)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()


def drain(engine, catalog) -> int:
    return consumer.drain(engine, catalog, None).requests


def test_an_answered_request_is_stored_pending_until_the_consumer_applies_it(stored_only, catalog):
    engine, client = stored_only
    request_id = send(client, group(alert("a1")))
    assert state(client, request_id) == {"request_id": request_id, "state": "pending", "incidents": []}
    assert count(engine, incidents) == 0 and count(engine, raw_requests) == 1
    assert drain(engine, catalog) == 1
    found = state(client, request_id)
    assert (found["state"], found["incidents"]) == ("applied", ["INC-1"])
    assert drain(engine, catalog) == 0  # applied once


def test_firing_then_resolved_in_one_batch_ends_resolved(stored_only, catalog):
    engine, client = stored_only
    send(client, group(alert("a1")))
    send(client, group(alert("a1", "resolved"), status="resolved"))
    assert drain(engine, catalog) == 2
    with engine.connect() as conn:
        assert conn.execute(sa.select(incidents.c.status)).scalars().all() == ["resolved"]


def test_repeats_in_a_batch_fold_into_one_application_that_counts_each(stored_only, catalog):
    engine, client = stored_only
    ids = [send(client, group(alert("a1"), alert("b2"))) for _ in range(5)]
    assert drain(engine, catalog) == 5
    with engine.connect() as conn:
        assert sorted(conn.execute(sa.select(alerts.c.received_count)).scalars()) == [5, 5]
        joined = conn.execute(sa.select(sa.func.count()).where(timeline.c.kind == "alert_firing")).scalar_one()
    assert joined == 2  # each alert joined once: the four repeats wrote nothing
    assert {tuple(state(client, i)["incidents"]) for i in ids} == {("INC-1",)}


def test_the_same_requests_applied_one_by_one_or_folded_tell_the_same_story(engine, settings, catalog):
    """Folding is an optimisation only: the incidents, alerts and timeline kinds come out the same."""
    bodies = [
        group(alert("a1")),
        group(alert("a1")),
        group(alert("a1", "resolved"), alert("b2")),
        group(alert("a1"), alert("b2")),
        group(alert("a1", "resolved"), alert("b2", "resolved"), status="resolved"),
        group(alert("a1")),
    ]
    client = create_app(settings, catalog=catalog, engine=engine).test_client()

    def story():
        with engine.connect() as conn:
            rows = conn.execute(sa.select(incidents.c.number, incidents.c.status).order_by(incidents.c.number))
            told = [tuple(row) for row in rows]
            told += sorted(conn.execute(sa.select(alerts.c.fingerprint, alerts.c.status, alerts.c.received_count)))
            told += conn.execute(sa.select(timeline.c.kind).order_by(timeline.c.id)).scalars().all()
        return told

    for body in bodies:
        send(client, body)
        drain(engine, catalog)
    one_by_one = story()
    with engine.begin() as conn:
        for table in ("timeline", "pages", "alerts", "incident_lifecycle", "postmortem_versions", "postmortems"):
            conn.execute(sa.text(f"DELETE FROM {table}"))
        conn.execute(sa.text("DELETE FROM incidents"))
        conn.execute(sa.text("ALTER SEQUENCE incident_numbers RESTART"))
    for body in bodies:
        send(client, body)
    assert drain(engine, catalog) == len(bodies)
    assert story() == one_by_one


def test_two_consumers_at_once_apply_every_request_once_in_order_per_group(engine, settings, catalog):
    client = create_app(settings, catalog=catalog, engine=engine).test_client()
    for round_ in range(10):
        for key in range(12):
            status = "resolved" if round_ == 9 else "firing"
            send(client, group(alert(f"a{key}", status), key=f"k{key}", status=status))
    applied, barrier = [], threading.Barrier(2)

    def run():
        barrier.wait()
        while True:
            done = consumer.apply_batch(engine, catalog, now=consumer.utcnow(), limit=7)
            applied.append(done.requests)
            if done.requests == 0 and count(engine, raw_requests, raw_requests.c.applied_at.is_(None)) == 0:
                return

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(applied) == 120
    with engine.connect() as conn:
        rows = conn.execute(sa.select(incidents.c.group_key, incidents.c.status)).all()
        received = conn.execute(sa.select(alerts.c.received_count)).scalars().all()
    assert len(rows) == 12 and {status for _, status in rows} == {"resolved"}  # one incident per group, resolved
    assert received == [10] * 12  # every request counted once


def test_a_request_that_cannot_be_applied_is_marked_failed_and_holds_nothing_up(
    stored_only, catalog, monkeypatch, caplog
):
    engine, client = stored_only
    good_before = send(client, group(alert("a1"), key="good"))
    bad = send(client, group(alert("x1"), key="bad"))
    good_after = send(client, group(alert("a2"), key="good"))
    apply_step = consumer.apply_step

    def failing(conn, step, **kwargs):
        if step.group[1].endswith('"bad"}'):
            raise RuntimeError("a bug in applying this request")
        return apply_step(conn, step, **kwargs)

    monkeypatch.setattr(consumer, "apply_step", failing)
    while drain(engine, catalog):
        pass
    assert state(client, good_before)["incidents"] == state(client, good_after)["incidents"] == ["INC-1"]
    failed = state(client, bad)
    assert failed["state"] == "failed" and "a bug in applying this request" in failed["error"]
    assert "cannot be applied" in caplog.text


def test_an_unknown_request_id_is_404(client):
    assert client.get("/api/requests/no-such-request", headers=READ).status_code == 404


def test_the_metrics_count_what_waits_in_the_inbox(stored_only, catalog):
    engine, client = stored_only
    for _ in range(3):
        send(client, group(alert("a1")))

    def pending() -> float:
        text = client.get("/metrics").get_data(as_text=True)
        return float(next(line for line in text.splitlines() if line.startswith("incidents_inbox_pending ")).split()[1])

    assert pending() == 3
    drain(engine, catalog)
    assert pending() == 0


def test_a_request_that_no_longer_reads_is_logged_and_counted(stored_only, catalog, caplog):
    engine, client = stored_only
    send(client, group(alert("a1")))
    with engine.begin() as conn:  # as if the configuration changed since: the body no longer validates
        conn.execute(raw_requests.update().values(body=b'{"version": "4"}'))
    failed = metrics.INBOX_FAILED.labels("alertmanager")
    before = failed._value.get()
    assert drain(engine, catalog) == 1
    assert failed._value.get() == before + 1 and "not applied" in caplog.text
    assert count(engine, incidents) == 0
