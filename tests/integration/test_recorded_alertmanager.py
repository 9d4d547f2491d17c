"""The six requests recorded from Alertmanager 0.25, replayed in order against PostgreSQL."""

import pytest
import sqlalchemy as sa

from store.tables import raw_requests
from tests.support import READ, applied_to, recorded_requests

pytestmark = pytest.mark.both_databases

CHECKOUT_1, CHECKOUT_2 = "3674736a37fc8008", "f2373b2bbdc5f603"
PAY_1, PAY_2 = "c3b2d122f9a8bcab", "f2803740ffb2bf6e"


def post(client, headers, body):
    response = client.post("/webhooks/alertmanager", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return {"incidents": applied_to(client, response)}


def incident(client, number):
    response = client.get(f"/api/incidents/INC-{number}", headers=READ)
    assert response.status_code == 200
    return response.get_json()


def alert_states(detail):
    return {alert["fingerprint"]: alert["status"] for alert in detail["alerts"]}


def kinds(detail):
    return [entry["kind"] for entry in detail["timeline"]]


def test_recorded_sequence_yields_one_incident_per_group_with_per_alert_state(client, engine):
    captures = recorded_requests()

    assert post(client, *captures[0][1:])["incidents"] == ["INC-1"]
    checkout = incident(client, 1)
    assert (checkout["status"], checkout["service"], checkout["severity"]) == ("triggered", "production-api", "SEV2")
    assert alert_states(checkout) == {CHECKOUT_1: "firing"}
    assert checkout["alerts"][0]["ends_at"] is None  # the zero time means "no end"
    assert checkout["alerts"][0]["starts_at"] == "2026-11-26T14:33:41.755554Z"
    assert kinds(checkout) == ["opened", "alert_firing", "paged"]

    # Truncated group (max_alerts: 2), basic auth, escaped receiver, sub-route group key.
    assert post(client, *captures[1][1:])["incidents"] == ["INC-2"]
    payments = incident(client, 2)
    assert payments["service"] == "payment-service"
    assert payments["severity"] == "SEV1"  # the service maps critical to SEV1
    assert payments["group_key"] == '{}/{team="payments"}:{service="payment-service"}'
    assert alert_states(payments) == {PAY_1: "firing", PAY_2: "firing"}

    assert post(client, *captures[2][1:])["incidents"] == ["INC-1"]
    checkout = incident(client, 1)
    assert alert_states(checkout) == {CHECKOUT_1: "firing", CHECKOUT_2: "firing"}
    assert [a["received_count"] for a in checkout["alerts"]] == [2, 1]  # the repeat only counted
    assert kinds(checkout) == ["opened", "alert_firing", "paged", "alert_firing"]

    # Group still firing while one of its alerts resolved.
    post(client, *captures[3][1:])
    checkout = incident(client, 1)
    assert checkout["status"] == "triggered"
    assert alert_states(checkout) == {CHECKOUT_1: "resolved", CHECKOUT_2: "firing"}
    assert kinds(checkout)[-1] == "alert_resolved"

    # The resolved group leaves out the alert already resolved: its absence changes nothing.
    post(client, *captures[4][1:])
    checkout = incident(client, 1)
    assert checkout["status"] == "resolved" and checkout["resolved_at"] is not None
    assert alert_states(checkout) == {CHECKOUT_1: "resolved", CHECKOUT_2: "resolved"}
    assert kinds(checkout) == [
        "opened",
        "alert_firing",
        "paged",
        "alert_firing",
        "alert_resolved",
        "alert_resolved",
        "resolved",
        "page_cancelled",  # no worker runs here: the page was still pending
    ]

    # The truncated group resolves; the third alert was never sent, so it is never known.
    post(client, *captures[5][1:])
    payments = incident(client, 2)
    assert payments["status"] == "resolved"
    assert alert_states(payments) == {PAY_1: "resolved", PAY_2: "resolved"}

    listing = client.get("/api/incidents", headers=READ).get_json()
    assert listing["total"] == 2
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(raw_requests)).scalar_one() == 6


def test_repeated_payloads_only_bump_counters_without_timeline_noise(client):
    name, headers, body = recorded_requests()[0]
    for _ in range(5):
        post(client, headers, body)
    detail = incident(client, 1)
    assert detail["alerts"][0]["received_count"] == 5
    assert detail["alert_events"] == 5
    assert kinds(detail) == ["opened", "alert_firing", "paged"]
    assert client.get("/api/incidents", headers=READ).get_json()["total"] == 1


def test_firing_after_resolution_opens_a_new_incident(client):
    captures = recorded_requests()
    for capture in (captures[0], captures[2], captures[3], captures[4]):
        post(client, *capture[1:])
    assert incident(client, 1)["status"] == "resolved"
    assert post(client, *captures[0][1:])["incidents"] == ["INC-2"]
    again = incident(client, 2)
    assert again["status"] == "triggered"
    assert alert_states(again) == {CHECKOUT_1: "firing"}
