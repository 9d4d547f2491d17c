"""The one-statement intake on PostgreSQL (store/intake.py, store/alert_rows.py, store/catch_up.py).

Its timeline entries are written in SQL; the transactional path (SQLite) writes them in Python:
both must tell the same story. And a request that dies between its statement and its catch-up
leaves an incident behind that the next request, or the beat's sweep, brings up to date.
"""

import dataclasses
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from incidents.alerts import batches
from ingest.app import create_app
from ingest.sources import alertmanager
from store.catch_up import catch_up_left_behind
from store.db import create_engine
from store.migrate import upgrade
from store.recording import Recording
from store.tables import incidents, pages, timeline
from tests.integration.spoiling import ALERTMANAGER, BEARER, PAGERDUTY, event, firing_alert, grafana, trigger, webhook
from tests.support import READ, recorded_requests


def alert(fingerprint: str, status: str = "firing", severity: str = "warning") -> dict:
    return {
        **firing_alert(service="checkout", instance=fingerprint, severity=severity),
        "status": status,
        "fingerprint": fingerprint,
        "annotations": {"summary": f"errors on {fingerprint}"},
    }


# Joined, repeated, resolved while the group fires, fired again, a new alert, and a rise to SEV1.
SEQUENCE = [
    webhook(alert("a1")),
    webhook(alert("a1")),
    webhook(alert("a1", "resolved"), alert("b2")),
    webhook(alert("a1"), alert("b2")),
    webhook(alert("a1"), alert("b2"), alert("c3", severity="SEV1")),
    {**webhook(alert("a1", "resolved"), alert("b2", "resolved"), alert("c3", "resolved")), "status": "resolved"},
]


def story(client) -> list:
    """Every incident's alerts and timeline, without ids and times."""
    told = []
    for listed in reversed(client.get("/api/incidents", headers=READ).get_json()["incidents"]):
        detail = client.get(f"/api/incidents/{listed['id']}", headers=READ).get_json()
        told.append(
            (
                listed["id"],
                listed["status"],
                listed["severity"],
                sorted((a["fingerprint"], a["status"], a["received_count"]) for a in detail["alerts"]),
                [(e["kind"], e["message"], e["data"], e["actor"]) for e in detail["timeline"]],
            )
        )
    return told


def test_postgresql_in_one_statement_and_sqlite_in_python_write_the_same_timeline(client, settings, catalog, tmp_path):
    url = f"sqlite:///{tmp_path / 'incidents.db'}"
    upgrade(url)
    sqlite_engine = create_engine(url)
    sqlite = create_app(
        dataclasses.replace(settings, database_url=url), catalog=catalog, engine=sqlite_engine
    ).test_client()
    bodies = SEQUENCE + [body for _, _, body in recorded_requests()]
    for number, body in enumerate(bodies):
        headers = BEARER if number < len(SEQUENCE) else recorded_requests()[number - len(SEQUENCE)][1]
        headers = headers | {"X-Request-Id": f"request-{number}"}  # on the timeline entries of both paths
        assert client.post(ALERTMANAGER, json=body, headers=headers).status_code == 200
        assert sqlite.post(ALERTMANAGER, json=body, headers=headers).status_code == 200
        assert story(client) == story(sqlite), f"after request {number}"
    kinds = [kind for _, _, _, _, entries in story(client) for kind, _, _, _ in entries]
    assert {"opened", "alert_firing", "alert_resolved", "severity_raised", "resolved"} <= set(kinds)
    assert any(
        message.startswith("Alert firing again:") for *_, entries in story(client) for _, message, _, _ in entries
    )
    alert_actors = {actor for *_, entries in story(client) for kind, _, _, actor in entries if kind.startswith("alert")}
    assert alert_actors == {"alertmanager"}  # the sender, not "system"
    sqlite_engine.dispose()


def die_after_statement(engine, catalog, body: dict, now: datetime):
    """What a request does before it dies: its one statement, committed, and no catch-up."""
    [batch] = batches(alertmanager.parse(body), lambda a: catalog.route(a.labels).name)
    recording = Recording(batch, catalog.service(batch.service), "alertmanager")
    raw = {"source": "alertmanager", "body": b"{}", "remote_addr": "", "user_agent": ""}
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        recording.upsert(conn, now, raw=raw)
    return recording.upserted


def incident_row(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(incidents)).one()


def counts(engine, incident_id) -> tuple[int, int]:
    with engine.connect() as conn:
        entries = conn.execute(sa.select(sa.func.count()).where(timeline.c.incident_id == incident_id)).scalar()
        paged = conn.execute(sa.select(sa.func.count()).where(pages.c.incident_id == incident_id)).scalar()
    return entries, paged


def test_an_incident_left_unnumbered_is_caught_up_by_the_next_request_of_its_group(client, engine, catalog):
    upserted = die_after_statement(engine, catalog, webhook(alert("a1")), datetime.now(UTC))
    assert upserted.incident.number is None and upserted.raw_id is not None
    assert counts(engine, upserted.incident.id) == (0, 0)  # no entry, no page: not caught up yet

    assert client.post(ALERTMANAGER, json=webhook(alert("a1")), headers=BEARER).status_code == 200
    row = incident_row(engine)
    assert row.number is not None and row.esc_level == 0
    entries = client.get(f"/api/incidents/INC-{row.number}", headers=READ).get_json()["timeline"]
    assert [e["kind"] for e in entries][:2] == ["opened", "paged"]
    assert counts(engine, row.id)[1] > 0  # the first level's pages are in the outbox


def test_the_sweep_catches_up_what_a_dead_request_left_behind_once(client, engine, catalog):
    now = datetime.now(UTC)
    die_after_statement(engine, catalog, webhook(alert("a1")), now)
    assert catch_up_left_behind(engine, catalog, now=now) == []  # within the grace: the request may live
    later = now + timedelta(seconds=31)
    decisions = catch_up_left_behind(engine, catalog, now=later)
    row = incident_row(engine)
    assert row.number is not None and [d.incident_id for d in decisions] == [row.id] and decisions[0].page_ids
    done = counts(engine, row.id)
    assert catch_up_left_behind(engine, catalog, now=later) == [] and counts(engine, row.id) == done

    # A rise to SEV1 whose request died: the sweep raises the incident (and pages as SEV1 asks).
    die_after_statement(engine, catalog, webhook(alert("a1"), alert("c3", severity="SEV1")), later)
    assert incident_row(engine).severity > 1
    decisions = catch_up_left_behind(engine, catalog, now=later)
    assert incident_row(engine).severity == 1 and decisions
    kinds = [e["kind"] for e in client.get(f"/api/incidents/INC-{row.number}", headers=READ).get_json()["timeline"]]
    assert kinds.count("severity_raised") == 1 and kinds.count("opened") == 1
    assert catch_up_left_behind(engine, catalog, now=later) == []


def test_alert_entries_written_in_the_one_statement_name_their_sender(client, engine):
    first = {**grafana(), "alerts": [alert("g1")]}
    assert client.post(ALERTMANAGER, json=first, headers=BEARER).status_code == 200
    assert client.post(ALERTMANAGER, json={**first, "alerts": [alert("g1"), alert("g2")]}, headers=BEARER).status_code
    assert client.post(PAGERDUTY, json=trigger()).status_code == 202
    assert client.post(PAGERDUTY, json=event("resolve")).status_code == 202
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(incidents.c.source, timeline.c.kind, timeline.c.actor)
            .join(incidents, incidents.c.id == timeline.c.incident_id)
            .where(timeline.c.kind.like("alert%"))
        ).all()
    assert {(row.source, row.actor) for row in rows} == {("grafana", "grafana"), ("pagerduty", "pagerduty")}
    assert ("grafana", "alert_firing", "grafana") in rows  # g2 joined the numbered incident in SQL
