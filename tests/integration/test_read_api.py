"""GET /api/incidents: filters, pagination, ISO 8601 UTC times; GET one incident."""

import re

import pytest

from tests.integration.signing_in import signed_in
from tests.support import READ

pytestmark = pytest.mark.both_databases

KEY = "exampleintegrationkey00000000001"
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def trigger(client, key, severity, routing_key=KEY):
    client.post(
        "/v2/enqueue",
        json={
            "routing_key": routing_key,
            "event_action": "trigger",
            "dedup_key": key,
            "payload": {"summary": key, "source": "s", "severity": severity},
        },
    )


def numbers(response):
    assert response.status_code == 200, response.get_json()
    return [incident["number"] for incident in response.get_json()["incidents"]]


def test_incidents_filter_by_status_severity_and_service_newest_first(client):
    trigger(client, "a", "critical")
    trigger(client, "b", "warning")
    trigger(client, "c", "info", routing_key="examplepaymentskey00000000000002")
    client.post("/v2/enqueue", json={"routing_key": KEY, "event_action": "resolve", "dedup_key": "b"})
    assert numbers(client.get("/api/incidents", headers=READ)) == [3, 2, 1]
    assert numbers(client.get("/api/incidents?status=resolved", headers=READ)) == [2]
    assert numbers(client.get("/api/incidents?status=triggered,acknowledged", headers=READ)) == [3, 1]
    assert numbers(client.get("/api/incidents?severity=SEV2&severity=SEV4", headers=READ)) == [3, 1]
    assert numbers(client.get("/api/incidents?service=payment-service", headers=READ)) == [3]


def test_incidents_are_paginated_with_a_total_and_a_more_flag(client):
    for i in range(5):
        trigger(client, f"k{i}", "warning")
    page = client.get("/api/incidents?limit=2&offset=2", headers=READ).get_json()
    assert [i["number"] for i in page["incidents"]] == [3, 2]
    assert (page["total"], page["more"], page["limit"], page["offset"]) == (5, True, 2, 2)
    assert client.get("/api/incidents?limit=2&offset=4", headers=READ).get_json()["more"] is False


def unsigned(detail: dict) -> dict:
    return detail | {"pages": [page | {"ack_url": bool(page["ack_url"])} for page in detail["pages"]]}


def test_one_incident_has_alerts_with_counts_a_timeline_and_utc_times(client):
    trigger(client, "a", "critical")
    trigger(client, "a", "critical")
    detail = client.get("/api/incidents/INC-1", headers=READ).get_json()
    # The same incident by its bare number; pages' acknowledgement links are signed when asked (to the
    # second), so two reads a second apart differ there only.
    assert unsigned(client.get("/api/incidents/1", headers=READ).get_json()) == unsigned(detail)
    assert detail["id"] == "INC-1"
    assert detail["alerts"][0]["received_count"] == 2
    times = [
        detail["opened_at"],
        detail["last_alert_at"],
        detail["alerts"][0]["first_seen"],
        *[entry["at"] for entry in detail["timeline"]],
    ]
    assert all(ISO_UTC.fullmatch(t) for t in times), times


def test_bad_filters_and_unknown_incidents_get_clear_answers(client):
    assert client.get("/api/incidents?status=open", headers=READ).status_code == 400
    assert client.get("/api/incidents?severity=SEV9", headers=READ).get_json()["fields"] == {
        "severity": "'SEV9' is not a severity (SEV1..SEV4)"
    }
    assert client.get("/api/incidents?limit=0", headers=READ).status_code == 400
    assert client.get("/api/incidents/INC-99", headers=READ).status_code == 404
    assert client.get("/api/incidents/nonsense", headers=READ).status_code == 404


def test_the_read_api_asks_for_an_api_token_and_refuses_webhook_credentials(client):
    for headers in (
        {},
        {"Authorization": "Bearer example-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic YWxlcnRtYW5hZ2VyOmV4YW1wbGUtcGFzc3dvcmQ="},
    ):
        for path in ("/api/incidents", "/api/incidents/INC-1"):
            response = client.get(path, headers=headers)
            assert response.status_code == 401, (path, headers)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/incidents", headers=READ).status_code == 200


def test_digits_that_are_not_ascii_are_a_404_or_a_400_not_a_500(client, engine):
    # Found by schemathesis: "¹".isdigit() is True, and int("¹") raises.
    for path in ("/api/incidents/%C2%B9", "/api/incidents/INC-%C2%B2", "/api/incidents/%C2%B9/rollback-candidates"):
        assert client.get(path, headers=READ).status_code == 404
    for action in ("acknowledge", "command", "notes"):
        assert client.post(f"/api/incidents/%C2%B9/{action}", headers=READ, json={}).status_code in (400, 404)
    assert client.get("/incidents/%C2%B9.md", headers=READ).status_code == 404
    signed_in(client, engine)
    for path in ("/incidents/%C2%B9", "/incidents/%C2%B9/live", "/incidents?page=%C2%B9"):
        assert client.get(path).status_code in (200, 404), path
    assert client.get("/api/incidents?limit=%C2%B9", headers=READ).status_code == 400
