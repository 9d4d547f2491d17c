"""One intake path on both databases: PostgreSQL and SQLite (the embedded default) apply the same
requests through the same consumer and tell the same story, and alert entries name their sender."""

import dataclasses

import sqlalchemy as sa

from store.db import create_engine
from store.migrate import upgrade
from store.tables import incidents, timeline
from tests.integration.spoiling import ALERTMANAGER, BEARER, PAGERDUTY, event, firing_alert, grafana, trigger, webhook
from tests.support import READ, applying_app, recorded_requests


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


def test_postgresql_and_sqlite_write_the_same_incidents_and_timeline(client, settings, catalog, tmp_path):
    url = f"sqlite:///{tmp_path / 'incidents.db'}"
    upgrade(url)
    sqlite_engine = create_engine(url)
    sqlite = applying_app(
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


def test_alert_entries_name_their_sender(client, engine):
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
    assert ("grafana", "alert_firing", "grafana") in rows  # g2 joined the numbered incident
