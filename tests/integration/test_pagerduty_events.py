"""PagerDuty Events API v2 on /v2/enqueue: trigger, dedup, acknowledge, resolve, exact answers."""

import pytest

from tests.support import READ, applied_to

pytestmark = pytest.mark.both_databases

KEY = "exampleintegrationkey00000000001"


def enqueue(client, **event):
    return client.post("/v2/enqueue", json={"routing_key": KEY, **event})


def trigger(client, dedup_key=None, severity="critical", summary="Checkout latency high"):
    event = {
        "event_action": "trigger",
        "payload": {
            "summary": summary,
            "source": "checkout-1",
            "severity": severity,
            "custom_details": {"p99_ms": 950},
        },
    }
    if dedup_key:
        event["dedup_key"] = dedup_key
    return enqueue(client, **event)


def test_trigger_answers_202_with_pagerdutys_shape_and_opens_an_incident(client):
    response = trigger(client, "checkout-latency")
    assert response.status_code == 202
    answer = response.get_json()
    assert answer == {"status": "success", "message": "Event processed", "dedup_key": "checkout-latency"} | {
        "request_id": answer["request_id"]
    }
    assert applied_to(client, response) == ["INC-1"]
    detail = client.get("/api/incidents/INC-1", headers=READ).get_json()
    assert (detail["service"], detail["severity"], detail["source"]) == ("production-api", "SEV2", "pagerduty")
    assert detail["alerts"][0]["annotations"]["custom_details"] == {"p99_ms": 950}


def test_a_trigger_without_dedup_key_gets_one_generated_and_returned(client):
    first, second = trigger(client).get_json()["dedup_key"], trigger(client).get_json()["dedup_key"]
    assert first and second and first != second
    assert client.get("/api/incidents", headers=READ).get_json()["total"] == 2


def test_repeated_triggers_deduplicate_and_a_worse_one_raises_severity(client):
    trigger(client, "k", severity="warning")
    trigger(client, "k", severity="warning")
    trigger(client, "k", severity="critical")
    detail = client.get("/api/incidents/INC-1", headers=READ).get_json()
    assert detail["alerts"][0]["received_count"] == 3
    assert detail["severity"] == "SEV2"
    assert [e["kind"] for e in detail["timeline"]] == ["opened", "alert_firing", "paged", "severity_raised"]
    assert detail["timeline"][-1]["message"] == "Severity raised from SEV3 to SEV2"


def test_acknowledge_then_resolve_moves_the_incident_and_a_new_trigger_opens_another(client):
    trigger(client, "k")
    assert enqueue(client, event_action="acknowledge", dedup_key="k").status_code == 202
    assert client.get("/api/incidents/INC-1", headers=READ).get_json()["status"] == "acknowledged"
    assert enqueue(client, event_action="resolve", dedup_key="k").status_code == 202
    detail = client.get("/api/incidents/INC-1", headers=READ).get_json()
    assert detail["status"] == "resolved"
    assert detail["alerts"][0]["status"] == "resolved"
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds[-4:] == ["acknowledged", "page_cancelled", "alert_resolved", "resolved"]  # no worker: page pending
    trigger(client, "k")
    assert client.get("/api/incidents/INC-2", headers=READ).get_json()["status"] == "triggered"


def test_resolving_an_unknown_key_is_accepted_and_changes_nothing(client):
    response = enqueue(client, event_action="resolve", dedup_key="never-seen")
    assert response.status_code == 202
    assert client.get("/api/incidents", headers=READ).get_json()["total"] == 0


def test_the_integration_key_picks_the_service(client):
    client.post(
        "/v2/enqueue",
        json={
            "routing_key": "examplepaymentskey00000000000002",
            "event_action": "trigger",
            "payload": {"summary": "s", "source": "x", "severity": "critical"},
        },
    )
    detail = client.get("/api/incidents/INC-1", headers=READ).get_json()
    assert (detail["service"], detail["severity"]) == ("payment-service", "SEV1")
