"""`incidents replay` on the embedded SQLite database too, and intake answering while it runs (both databases)."""

import dataclasses
import threading
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli.main import cli
from server.app import create_app
from store.db import create_engine
from store.migrate import upgrade
from store.tables import incidents, metadata, raw_requests
from tests.support import ROOT, applying_app, recorded_requests
from workers import inbox as ingest_replay
from workers.inbox import replay


@pytest.fixture
def sqlite(settings, catalog, tmp_path):
    """(settings, engine, test client) on a fresh SQLite file, as `make run` has it."""
    url = f"sqlite:///{tmp_path / 'incidents.db'}"
    upgrade(url)
    engine = create_engine(url)
    sqlite_settings = dataclasses.replace(settings, database_url=url)
    yield sqlite_settings, engine, applying_app(sqlite_settings, catalog=catalog, engine=engine).test_client()
    engine.dispose()


def post_all(client):
    for _, headers, body in recorded_requests():
        assert client.post("/webhooks/alertmanager", json=body, headers=headers).status_code == 200


def forget_incidents(engine):
    """Every incident and what hangs on it; the raw requests stay, to be replayed."""
    kept = {"raw_requests", "changes", "credentials", "sign_in_failures"}
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name not in kept:
                conn.execute(table.delete())


def statuses(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(incidents.c.status).order_by(incidents.c.number)).scalars().all()


def test_replay_command_rebuilds_the_same_incidents_on_sqlite(sqlite):
    settings, engine, client = sqlite
    post_all(client)
    before = statuses(engine)
    forget_incidents(engine)
    environ = {"DATABASE_URL": settings.database_url, "INCIDENTS_CONFIG": str(ROOT / "config")}
    answer = CliRunner().invoke(cli, ["replay"], env=environ)
    assert answer.exit_code == 0, answer.output
    assert "replayed 6 requests, skipped 0" in answer.output
    assert statuses(engine) == before == ["resolved", "resolved"]


def test_replay_honours_since_id_and_source(sqlite, catalog):
    _, engine, client = sqlite
    post_all(client)
    forget_incidents(engine)
    assert replay(engine, catalog, since_id=2) == {"replayed": 5, "skipped": 0}
    assert replay(engine, catalog, source="pagerduty") == {"replayed": 0, "skipped": 0}


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_intake_keeps_answering_while_replay_runs(request, database, catalog, monkeypatch):
    if database == "sqlite":
        settings, engine, _ = request.getfixturevalue("sqlite")
    else:
        settings, engine = request.getfixturevalue("settings"), request.getfixturevalue("engine")
    # Intake as a real web process runs it: it stores and answers, and leaves applying to the consumer.
    client = create_app(settings, catalog=catalog, engine=engine).test_client()
    _, headers, body = recorded_requests()[0]
    client.post("/webhooks/alertmanager", json=body, headers=headers)
    with engine.begin() as conn:  # many stored requests, so that replay runs a while
        first = conn.execute(sa.select(raw_requests)).one()._asdict()
        first.pop("id")
        conn.execute(raw_requests.insert(), [first | {"received_at": datetime.now(UTC)}] * 1000)
    counts, started = {}, threading.Event()
    apply = ingest_replay._apply

    def applying(*args):  # replay has marked what was stored when it started once it applies a batch
        started.set()
        return apply(*args)

    monkeypatch.setattr(ingest_replay, "_apply", applying)
    replaying = threading.Thread(target=lambda: counts.update(replay(engine, catalog)))
    replaying.start()
    assert started.wait(timeout=60)
    answered_during_replay, deadline = 0, time.monotonic() + 300
    while replaying.is_alive():
        # A hang guard, not a timing: requests that keep coming must not keep replay going for ever.
        assert time.monotonic() < deadline, "replay did not end while requests kept coming"
        assert client.post("/webhooks/alertmanager", json=body, headers=headers).status_code == 200
        answered_during_replay += replaying.is_alive()
    replaying.join()
    assert counts == {"replayed": 1001, "skipped": 0}  # what was stored when it started, not what came since
    assert answered_during_replay >= 1, "intake was held up for the replay's whole run"
