"""The embedded default (`make run`): the same recorded sequence on a SQLite file."""

import dataclasses

from store.db import create_engine
from store.migrate import upgrade
from tests.support import READ, applying_app, recorded_requests


def test_recorded_requests_give_the_same_incidents_on_sqlite(settings, catalog, tmp_path):
    url = f"sqlite:///{tmp_path / 'incidents.db'}"
    upgrade(url)
    engine = create_engine(url)
    client = applying_app(dataclasses.replace(settings, database_url=url), catalog=catalog, engine=engine).test_client()
    for _, headers, body in recorded_requests():
        assert client.post("/webhooks/alertmanager", json=body, headers=headers).status_code == 200
    for _, headers, body in recorded_requests()[:1]:
        client.post("/webhooks/alertmanager", json=body, headers=headers)  # fires again: a new incident
    listing = client.get("/api/incidents", headers=READ).get_json()
    assert [(i["id"], i["status"], i["severity"]) for i in listing["incidents"]] == [
        ("INC-3", "triggered", "SEV2"),
        ("INC-2", "resolved", "SEV1"),
        ("INC-1", "resolved", "SEV2"),
    ]
    first = client.get("/api/incidents/INC-1", headers=READ).get_json()
    assert {a["fingerprint"]: a["status"] for a in first["alerts"]} == {
        "3674736a37fc8008": "resolved",
        "f2373b2bbdc5f603": "resolved",
    }
    assert [e["kind"] for e in first["timeline"]] == [
        "opened",
        "alert_firing",
        "paged",
        "alert_firing",
        "alert_resolved",
        "alert_resolved",
        "resolved",
        "page_cancelled",  # no worker runs here: the page was still pending
    ]
    engine.dispose()
