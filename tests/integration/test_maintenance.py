"""Maintenance windows on PostgreSQL: the API and CLI, incidents opened and not paged, paged at the end."""

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.integration.acting import open_incident
from tests.integration.noise_support import said, triggers
from tests.support import READ
from workers import escalating

pytestmark = pytest.mark.both_databases


def add_window(client, **body):
    body = {"services": ["production-api"], "end": "2 hours", "reason": "database upgrade"} | body
    return client.post("/api/maintenance", json=body, headers=READ)


def test_a_window_is_added_listed_and_ended_early_through_the_api_by_the_token_holder(client):
    added = add_window(client)
    assert added.status_code == 201, added.get_json()
    window = added.get_json()
    assert (window["services"], window["reason"], window["created_by"]) == (
        ["production-api"],
        "database upgrade",
        "api:example-operator",
    )
    assert [w["id"] for w in client.get("/api/maintenance", headers=READ).get_json()["windows"]] == [window["id"]]
    ended = client.delete(f"/api/maintenance/{window['id']}", headers=READ)
    assert ended.status_code == 200 and ended.get_json()["ended_by"] == "api:example-operator"
    assert client.get("/api/maintenance", headers=READ).get_json()["windows"] == []
    assert client.delete("/api/maintenance/999", headers=READ).status_code == 404
    assert client.delete(f"/api/maintenance/{2**70}", headers=READ).status_code == 404  # past BIGINT: no row


@pytest.mark.parametrize(
    "body, field",
    [({"services": ["billing"]}, "services"), ({"end": "yesterday"}, "end"), ({"end": "2020-01-01T00:00:00Z"}, "end")],
    ids=["unknown service", "not a time", "in the past"],
)
def test_a_wrong_window_is_answered_400_naming_the_field(client, body, field):
    response = add_window(client, **body)
    assert response.status_code == 400
    assert field in response.get_json()["fields"]


def test_the_api_refuses_a_window_without_a_token(client):
    assert client.post("/api/maintenance", json={}).status_code == 401
    assert client.get("/api/maintenance").status_code == 401


def test_an_incident_opened_in_a_window_pages_nobody_until_the_window_ends(client, engine, catalog):
    window = add_window(client).get_json()
    incident = open_incident(client, engine)
    assert triggers(engine) == []
    (held,) = said(engine, incident.id, "not_paged")
    assert held.startswith("not paged: maintenance window 1 (database upgrade) until ") and held.endswith("UTC")
    end = datetime.fromisoformat(window["end"])
    assert escalating.claim_due(engine, catalog, now=end - timedelta(seconds=1), limit=50) == []
    escalating.claim_due(engine, catalog, now=end + timedelta(seconds=1), limit=50)
    assert [(p.step, p.target_name) for p in triggers(engine, incident.id)] == [("0.0", "oncall-sre")]
    (paged,) = said(engine, incident.id, "paged")
    assert paged == "Paging level 1 (user oncall-sre): maintenance window over, still firing"


def test_ending_a_window_early_pages_its_incidents_at_the_next_tick(client, engine, catalog):
    window = add_window(client).get_json()
    incident = open_incident(client, engine)
    client.delete(f"/api/maintenance/{window['id']}", headers=READ)
    escalating.claim_due(engine, catalog, now=datetime.now(UTC) + timedelta(seconds=1), limit=50)
    assert [p.step for p in triggers(engine, incident.id)] == ["0.0"]


def test_an_incident_resolved_during_the_window_is_never_paged(client, engine, catalog):
    window = add_window(client).get_json()
    incident = open_incident(client, engine)
    client.post("/api/incidents/INC-1/resolve", headers=READ)
    escalating.claim_due(engine, catalog, now=datetime.fromisoformat(window["end"]) + timedelta(minutes=1), limit=50)
    assert triggers(engine, incident.id) == []


def test_another_service_is_paged_as_usual_during_a_window(client, engine):
    add_window(client, services=["payment-service"])
    incident = open_incident(client, engine)
    assert [p.step for p in triggers(engine, incident.id)] == ["0.0"]


def test_the_cli_adds_lists_and_ends_windows(settings, engine):
    environ = {"DATABASE_URL": settings.database_url, "INCIDENTS_CONFIG": str(settings.config_dir), "USER": "alice"}

    def run(*args):
        return CliRunner().invoke(cli, ["maintenance", *args], env=environ, catch_exceptions=False)

    added = run("add", "--service", "production-api", "--end", "30 minutes", "--reason", "kernel upgrade")
    assert added.exit_code == 0, added.output
    assert added.output.startswith("1\tproduction-api\t") and "kernel upgrade (by cli:" in added.output
    assert run("list").output == added.output
    ended = run("end", "1")
    assert ended.exit_code == 0 and ", ended by cli:" in ended.output
    assert run("list").output == ""
    wrong = run("add", "--service", "billing", "--end", "1h", "--reason", "x")
    assert wrong.exit_code == 2 and '--service: no service called "billing"' in wrong.output
