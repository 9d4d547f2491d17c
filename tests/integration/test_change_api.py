"""GET /api/changes and GET /api/incidents/INC-n/rollback-candidates, on changes sent through the intake."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.changing import DEPLOY, deploy
from tests.integration.spoiling import BEARER, post_json
from tests.support import READ

KEY = "exampleintegrationkey00000000001"  # production-api
STARTED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def stamp(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def record(client, minutes_before: float, service="production-api", version=None):
    at = STARTED - timedelta(minutes=minutes_before)
    body = deploy(service=service, version=version or f"v{minutes_before}", time=stamp(at))
    assert post_json(client, DEPLOY, body, BEARER).status_code == 201


def open_incident(client, starts_at: datetime = STARTED):
    """INC-1 on production-api, its alert started at `starts_at` (it opens now, later)."""
    payload = {"summary": "Checkout 5xx", "source": "lb", "severity": "critical", "timestamp": stamp(starts_at)}
    event = {"routing_key": KEY, "event_action": "trigger", "dedup_key": "5xx", "payload": payload}
    assert client.post("/v2/enqueue", json=event).status_code == 202


def versions(answer) -> list[str]:
    return [candidate["change"]["version"] for candidate in answer["candidates"]]


def test_rollback_candidates_are_the_services_changes_in_the_hour_before_the_first_alert_newest_first(client):
    for minutes in (61, 59, 5, -1):  # outside, inside, inside, after the problem started
        record(client, minutes)
    record(client, 10, service="payment-service")  # another service
    open_incident(client)
    answer = client.get("/api/incidents/INC-1/rollback-candidates", headers=READ).get_json()
    assert (answer["incident"], answer["services"], answer["window_seconds"]) == ("INC-1", ["production-api"], 3600)
    assert answer["problem_started_at"] == "2026-11-27T12:00:00Z"
    assert versions(answer) == ["v5", "v59"]
    first = answer["candidates"][0]
    assert (first["before_problem_seconds"], first["recent"]) == (300, True)
    assert [(q["key"], q["answer"], q["answered_by"]) for q in first["questions"]] == [
        ("recent", True, "product"),
        ("impact_wide", None, "people"),
        ("investigation_long", None, "people"),
    ]


def test_the_window_comes_from_the_configuration(app, client):
    state = app.extensions["incidents"]
    app.extensions["incidents"] = replace(state, catalog=replace(state.catalog, rollback_window=timedelta(hours=3)))
    record(client, 90)
    open_incident(client)
    answer = client.get("/api/incidents/INC-1/rollback-candidates", headers=READ).get_json()
    assert (versions(answer), answer["window_seconds"]) == (["v90"], 3 * 3600)
    assert answer["candidates"][0]["recent"] is False


def test_an_incident_without_changes_has_no_candidates_and_an_unknown_one_is_404(client):
    open_incident(client)
    assert client.get("/api/incidents/INC-1/rollback-candidates", headers=READ).get_json()["candidates"] == []
    assert client.get("/api/incidents/INC-9/rollback-candidates", headers=READ).status_code == 404


def test_changes_are_listed_by_service_and_time_newest_first(client):
    for minutes in (30, 20, 10):
        record(client, minutes)
    record(client, 15, service="payment-service")
    since = stamp(STARTED - timedelta(minutes=25))
    answer = client.get(f"/api/changes?service=production-api&since={since}", headers=READ).get_json()
    assert [c["version"] for c in answer["changes"]] == ["v10", "v20"]
    everything = client.get(f"/api/changes?since={stamp(STARTED - timedelta(hours=1))}", headers=READ).get_json()
    assert [c["version"] for c in everything["changes"]] == ["v10", "v15", "v20", "v30"]


def test_changes_default_to_the_last_day(client):
    post_json(
        client, DEPLOY, deploy(service="production-api", time=stamp(datetime.now(UTC) - timedelta(days=2))), BEARER
    )
    post_json(client, DEPLOY, deploy(service="production-api", version="today"), BEARER)
    answer = client.get("/api/changes", headers=READ).get_json()
    assert [c["version"] for c in answer["changes"]] == ["today"]


@pytest.mark.parametrize("query, field", [("since=yesterday", "since"), ("limit=0", "limit"), ("until=1", "until")])
def test_a_wrong_parameter_is_refused_with_400_naming_it(client, query, field):
    response = client.get(f"/api/changes?{query}", headers=READ)
    assert response.status_code == 400 and field in response.get_json()["fields"]


def test_a_service_filter_with_a_nul_is_a_400_not_a_500(client):
    # Found by schemathesis: PostgreSQL cannot compare text holding NUL; /api/incidents had it too.
    for path in ("/api/changes", "/api/incidents"):
        response = client.get(f"{path}?service=a%00b", headers=READ)
        assert response.status_code == 400 and response.get_json()["fields"] == {
            "service": "must not contain NUL characters"
        }


@pytest.mark.parametrize("path", ["/api/changes", "/api/incidents/INC-1/rollback-candidates"])
def test_the_changes_api_needs_an_api_token(client, path):
    assert client.get(path).status_code == 401
    assert client.get(path, headers=BEARER).status_code == 401  # an intake token is not an API token
