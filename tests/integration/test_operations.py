"""Health, readiness, metrics, a database outage, and replaying stored requests."""

import dataclasses

import sqlalchemy as sa

from store.db import create_engine
from store.tables import alerts, incidents, raw_requests
from tests.support import applying_app, free_port, recorded_requests
from workers.inbox import replay

UNREACHABLE_DB = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none?connect_timeout=2"


def post_capture(client, index):
    _, headers, body = recorded_requests()[index]
    return client.post("/webhooks/alertmanager", json=body, headers=headers)


def test_healthz_and_readyz_answer_when_database_and_broker_are_up(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": "ok", "broker": "ok"}


def test_readyz_names_what_is_down(settings, catalog):
    broken = dataclasses.replace(settings, broker_url=f"redis://127.0.0.1:{free_port()}/0")
    app = applying_app(broken, catalog=catalog, engine=create_engine(UNREACHABLE_DB))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"].startswith("unavailable") and checks["broker"].startswith("unavailable")


def test_an_unreachable_database_answers_503_so_that_senders_retry(settings, catalog):
    app = applying_app(settings, catalog=catalog, engine=create_engine(UNREACHABLE_DB))
    response = post_capture(app.test_client(), 0)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"


def test_metrics_count_requests_by_outcome_and_deduplicated_alerts(client):
    def value(text, line_start):
        line = next((row for row in text.splitlines() if row.startswith(line_start)), None)
        return float(line.rsplit(" ", 1)[1]) if line else 0.0

    before = client.get("/metrics").get_data(as_text=True)
    post_capture(client, 0)
    post_capture(client, 0)
    client.post("/webhooks/alertmanager", json={}, headers={"Authorization": "Bearer example-token"})
    after = client.get("/metrics").get_data(as_text=True)
    accepted = 'incidents_intake_requests_total{outcome="accepted",source="alertmanager"}'
    invalid = 'incidents_intake_requests_total{outcome="invalid",source="alertmanager"}'
    deduplicated = 'incidents_alerts_deduplicated_total{source="alertmanager"}'
    assert value(after, accepted) - value(before, accepted) == 2
    assert value(after, invalid) - value(before, invalid) == 1
    assert value(after, deduplicated) - value(before, deduplicated) == 1
    assert 'incidents_intake_latency_seconds_bucket{le="0.1",source="alertmanager"}' in after


def test_accepted_requests_are_kept_verbatim_and_replay_rebuilds_the_same_incidents(client, engine, catalog):
    for index in range(6):
        assert post_capture(client, index).status_code == 200
    with engine.begin() as conn:
        kept = conn.execute(sa.select(raw_requests.c.source, raw_requests.c.body).order_by(raw_requests.c.id)).all()
        assert [row.source for row in kept] == ["alertmanager"] * 6
        assert b'"truncatedAlerts": 1' in kept[1].body or b'"truncatedAlerts":1' in kept[1].body
        before = conn.execute(sa.select(incidents.c.number, incidents.c.status).order_by(incidents.c.number)).all()
        conn.execute(alerts.delete())
        conn.execute(sa.text("DELETE FROM timeline"))
        conn.execute(sa.text("DELETE FROM pages"))
        conn.execute(sa.text("DELETE FROM incident_lifecycle"))
        conn.execute(sa.text("DELETE FROM postmortem_versions"))  # resolved incidents have a post-mortem
        conn.execute(sa.text("DELETE FROM postmortems"))
        conn.execute(incidents.delete())
    assert replay(engine, catalog) == {"replayed": 6, "skipped": 0}
    with engine.connect() as conn:
        after = conn.execute(sa.select(incidents.c.status).order_by(incidents.c.number)).scalars().all()
        assert after == [row.status for row in before] == ["resolved", "resolved"]
        assert conn.execute(sa.select(sa.func.count()).select_from(raw_requests)).scalar_one() == 6


def test_metrics_still_answer_when_the_database_is_down(settings, catalog):
    app = applying_app(settings, catalog=catalog, engine=create_engine(UNREACHABLE_DB))
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    assert "incidents_escalations_overdue" not in response.get_data(as_text=True)


def test_metrics_show_escalations_overdue_right_now(client, engine):
    post_capture(client, 0)
    overdue = "incidents_escalations_overdue "
    assert f"{overdue}0.0" in client.get("/metrics").get_data(as_text=True)
    with engine.begin() as conn:
        conn.execute(incidents.update().values(next_wake_at=sa.func.now() - sa.text("interval '1 minute'")))
    assert f"{overdue}1.0" in client.get("/metrics").get_data(as_text=True)


def test_replay_gives_a_trigger_sent_without_dedup_key_the_key_it_was_answered(client, engine, catalog):
    trigger = {
        "routing_key": "exampleintegrationkey00000000001",
        "event_action": "trigger",
        "payload": {"summary": "Disk full on db-1", "source": "db-1", "severity": "error"},
    }
    answered = [client.post("/v2/enqueue", json=trigger).get_json()["dedup_key"] for _ in range(2)]
    assert answered[0] != answered[1]  # two keyless triggers are two alerts, as at PagerDuty
    with engine.begin() as conn:
        for table in (
            "alerts",
            "timeline",
            "pages",
            "incident_lifecycle",
            "postmortem_versions",
            "postmortems",
            "incidents",
        ):
            conn.execute(sa.text(f"DELETE FROM {table}"))
    assert replay(engine, catalog) == {"replayed": 2, "skipped": 0}
    with engine.connect() as conn:
        assert sorted(conn.execute(sa.select(incidents.c.group_key)).scalars()) == sorted(answered)
    assert replay(engine, catalog) == {"replayed": 2, "skipped": 0}  # again: the same two incidents
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(incidents)).scalar_one() == 2
