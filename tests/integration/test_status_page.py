"""The public status page on PostgreSQL: component states from incidents and by hand, what is never
shown, the history window's edges, maintenance, the JSON shape and the Atom feed."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.acting import act
from tests.integration.status_paging import declare, fresh, publish, resolve, states, update
from tests.support import READ

pytestmark = pytest.mark.both_databases

ATOM = "{http://www.w3.org/2005/Atom}"


def override(client, service, status, reason="", token=READ):
    return client.post(f"/api/status/components/{service}", headers=token, json={"status": status, "reason": reason})


def announce(client, title, start, end, services=("payment-service",)):
    body = {"title": title, "services": list(services), "start": start.isoformat(), "end": end.isoformat()}
    answer = client.post("/api/status/maintenance", headers=READ, json=body | {"description": f"{title} details"})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


def test_the_page_answers_without_sign_in_and_all_is_operational_without_incidents(client):
    answer = client.get("/status")
    assert answer.status_code == 200
    assert "All Systems Operational" in answer.text and "Payments" in answer.text and "<script" not in answer.text
    document = client.get("/status.json").get_json()
    assert states(document) == {"payment-service": "operational", "production-api": "operational"}
    assert document["status"] == {"indicator": "none", "description": "All Systems Operational"}


def test_each_component_takes_the_state_of_its_worst_open_incident(app, client):
    declare(client, "payment-service", "SEV3")
    declare(client, "payment-service", "SEV2")
    declare(client, "production-api", "SEV4", published=False)
    document = fresh(app, client)
    assert states(document) == {"payment-service": "partial_outage", "production-api": "operational"}
    assert document["status"] == {"indicator": "major", "description": "Partial System Outage"}
    # A SEV4 nobody published anything about is not listed; the two on Payments are.
    assert [i["name"] for i in document["incidents"]] == [
        "Partial outage of Payments",
        "Degraded performance of Payments",
    ]
    sev1 = declare(client, "production-api", "SEV1")
    assert states(fresh(app, client))["production-api"] == "major_outage"
    resolve(client, app.extensions["incidents"].engine, sev1)
    document = fresh(app, client)
    assert states(document)["production-api"] == "operational"
    assert document["incidents"][-1]["status"] == "resolved" and document["incidents"][-1]["resolved_at"]


def test_an_incident_marked_as_affecting_a_public_service_counts_for_it(app, client):
    number = declare(client, "payment-service", "SEV1")
    assert (
        act(client, number, "status", status="Identified", affected=["payment-service", "production-api"]).status_code
        == 200
    )
    document = fresh(app, client)
    assert states(document) == {"payment-service": "major_outage", "production-api": "major_outage"}
    assert document["incidents"][0]["name"] == "Major outage of Payments and API"
    assert document["incidents"][0]["status"] == "identified"


def test_a_state_set_by_hand_wins_until_cleared_and_records_who_when_and_why(app, client):
    declare(client, "payment-service", "SEV3")
    answer = override(client, "payment-service", "major_outage", "card network down upstream")
    assert answer.status_code == 200
    assert answer.get_json()["override"]["set_by"] == "api:example-operator"
    assert states(fresh(app, client))["payment-service"] == "major_outage"
    [listed, _] = client.get("/api/status/components", headers=READ).get_json()
    assert listed["override"]["reason"] == "card network down upstream" and listed["override"]["set_at"]
    assert "card network" not in client.get("/status").text  # why and who stay inside
    assert override(client, "payment-service", None).get_json() == {
        "service": "payment-service",
        "override": None,
        "cleared": True,
    }
    assert states(fresh(app, client))["payment-service"] == "degraded_performance"


def test_a_state_by_hand_needs_a_token_a_reason_a_known_state_and_a_public_service(client):
    assert override(client, "payment-service", "major_outage", "x", token={}).status_code == 401
    assert override(client, "payment-service", "major_outage").get_json()["fields"] == {
        "reason": "say why the state is set by hand"
    }
    assert "status" in override(client, "payment-service", "on fire", "x").get_json()["fields"]
    assert override(client, "no-such-service", "major_outage", "x").status_code == 400


def test_only_public_updates_reach_the_page_the_json_and_the_feed(app, client):
    number = declare(client, "payment-service", "SEV2", title="PaymentsDBDown on db-1:5432")
    update(client, number, "Failover to db-2 started, see runbook 7", public=False)
    assert act(client, number, "notes", text="private note: blame the cron job").status_code == 201
    update(client, number, "Card payments are failing for some customers.", public=True)
    update(client, number, "Fixed; watching.", public=True, status="Monitoring")
    document = fresh(app, client)
    [incident] = document["incidents"]
    assert [u["body"] for u in incident["incident_updates"]] == [
        "Fixed; watching.",
        "Card payments are failing for some customers.",
    ]
    assert incident["status"] == "monitoring" and incident["monitoring_at"]
    page, feed = client.get("/status").text, client.get("/status.atom").text
    for shown in (page, feed, str(document)):
        for secret in ("runbook 7", "private note", "db-1", "PaymentsDBDown", "oncall", "api:example"):
            assert secret not in shown
    assert "Card payments are failing for some customers." in page and "Fixed; watching." in page


def test_resolved_incidents_stay_listed_exactly_history_days(app, client, engine):
    now = datetime.now(UTC).replace(microsecond=0)
    edge, past_edge = declare(client), declare(client)
    resolve(client, engine, edge, at=now - timedelta(days=14))
    resolve(client, engine, past_edge, at=now - timedelta(days=14, seconds=1))
    listed = [i["id"] for i in fresh(app, client, now)["incidents"]]
    assert listed == [f"INC-{edge}"]
    assert "Past incidents (last 14 days)" in client.get("/status").text


def test_maintenance_is_upcoming_in_progress_then_completed(app, client):
    now = datetime.now(UTC).replace(microsecond=0)
    hour = timedelta(hours=1)
    announce(client, "Database upgrade", now + hour, now + 2 * hour, services=("production-api",))
    announce(client, "Card network switch", now - hour, now + hour)
    announce(client, "Old cleanup", now - 2 * hour, now - hour)
    announce(client, "Ancient work", now - timedelta(days=20), now - timedelta(days=15))
    document = fresh(app, client, now)
    assert [(m["name"], m["status"]) for m in document["scheduled_maintenances"]] == [
        ("Card network switch", "in_progress"),
        ("Database upgrade", "scheduled"),
        ("Old cleanup", "completed"),
    ]
    assert states(document) == {"payment-service": "under_maintenance", "production-api": "operational"}
    page = client.get("/status").text
    assert "Upcoming" in page and "In progress" in page and "Completed" in page
    # At its end it is completed, and its component operational again; at its start the next one begins.
    document = fresh(app, client, now + hour)
    assert [m["status"] for m in document["scheduled_maintenances"]][:2] == ["in_progress", "completed"]
    assert states(document) == {"payment-service": "operational", "production-api": "under_maintenance"}


def test_maintenance_needs_an_end_after_its_start_and_public_services(client):
    now = datetime.now(UTC)
    body = {"title": "x", "services": ["payment-service"], "start": now.isoformat(), "end": now.isoformat()}
    assert client.post("/api/status/maintenance", headers=READ, json=body).get_json()["fields"] == {
        "end": "must come after `start`"
    }
    body |= {"end": (now + timedelta(hours=1)).isoformat(), "services": ["nope"]}
    assert client.post("/api/status/maintenance", headers=READ, json=body).status_code == 400


def test_the_json_has_statuspage_s_shape(app, client):
    number = declare(client, "payment-service", "SEV1")
    update(client, number, "Investigating failed payments.", public=True)
    announce(client, "Upgrade", datetime.now(UTC) + timedelta(hours=1), datetime.now(UTC) + timedelta(hours=2))
    document = fresh(app, client)
    assert set(document) == {"page", "status", "components", "incidents", "scheduled_maintenances"}
    assert set(document["page"]) == {"id", "name", "url", "time_zone", "updated_at"}
    assert document["page"]["name"] == "Example Corp status"
    assert document["status"]["indicator"] == "critical"
    component_keys = {"id", "name", "status", "description", "position", "group_id", "group"}
    component_keys |= {"only_show_if_degraded", "page_id", "created_at", "updated_at"}
    assert set(document["components"][0]) == component_keys
    incident_keys = {"id", "name", "status", "impact", "created_at", "updated_at", "monitoring_at", "resolved_at"}
    incident_keys |= {"shortlink", "page_id", "incident_updates", "components"}
    [incident] = document["incidents"]
    assert set(incident) == incident_keys and incident["impact"] == "critical"
    update_keys = {"id", "incident_id", "status", "body", "created_at", "updated_at", "display_at"}
    assert set(incident["incident_updates"][0]) == update_keys | {"affected_components"}
    [maintenance] = document["scheduled_maintenances"]
    assert set(maintenance) == incident_keys | {"scheduled_for", "scheduled_until"}
    assert (maintenance["status"], maintenance["impact"]) == ("scheduled", "maintenance")
    assert datetime.fromisoformat(incident["created_at"]).utcoffset() == timedelta(0)


def test_the_atom_feed_is_well_formed_with_an_entry_per_public_update(app, client):
    number = declare(client, "payment-service", "SEV2")
    update(client, number, "Payments <slow> & failing", public=True)
    fresh(app, client)
    answer = client.get("/status.atom")
    assert answer.mimetype == "application/atom+xml"
    feed = ET.fromstring(answer.data)
    assert feed.tag == f"{ATOM}feed" and feed.find(f"{ATOM}updated") is not None
    [entry, opened] = feed.findall(f"{ATOM}entry")
    assert opened.find(f"{ATOM}title").text == "New incident: Partial outage of Payments"
    assert entry.find(f"{ATOM}content").text == "Payments <slow> & failing"
    assert entry.find(f"{ATOM}title").text == "Partial outage of Payments: Investigating"
    assert all(entry.find(f"{ATOM}{name}") is not None for name in ("id", "updated", "link"))
    assert 'type="application/atom+xml"' in client.get("/status").text


def test_the_atom_feed_carries_every_public_event_the_page_shows(app, client, engine):
    # Issue #14: the feed held one incident's updates while the page showed two more and a resolution.
    quiet, told = declare(client, "payment-service", "SEV2"), declare(client, "production-api", "SEV1")
    update(client, quiet, "Card payments fail for some customers.", public=True)
    update(client, told, "API errors for some customers.", public=True)
    update(client, told, "Fixed.", public=True, status="Monitoring")
    resolve(client, engine, told)
    document = fresh(app, client)
    feed = ET.fromstring(client.get("/status.atom").data)
    titles = [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]
    assert sorted(titles) == sorted(
        [
            "New incident: Partial outage of Payments",
            "Partial outage of Payments: Investigating",
            "New incident: Major outage of API",
            "Major outage of API: Investigating",
            "Major outage of API: Monitoring",
            "Major outage of API: Resolved",
        ]
    )
    # Newest first; each entry links to its incident on the page, and its id is its own.
    assert titles[0] == "Major outage of API: Resolved"
    ids = [entry.find(f"{ATOM}id").text for entry in feed.findall(f"{ATOM}entry")]
    assert len(set(ids)) == len(ids)
    links = {entry.find(f"{ATOM}link").get("href") for entry in feed.findall(f"{ATOM}entry")}
    assert links == {f"{document['page']['url']}#INC-{quiet}", f"{document['page']['url']}#INC-{told}"}


def test_only_published_incidents_reach_the_page_and_set_component_states(app, client, engine):
    # Issue #14: every SEV1-3 of a public service was shown at once; a SEV3 that flapped for 4 s was shown
    # to customers as "Degraded performance". The example config publishes SEV1s after 5 minutes.
    now = datetime.now(UTC)
    declare(client, "payment-service", "SEV3", published=False)
    flapped = declare(client, "payment-service", "SEV1", published=False)
    resolve(client, engine, flapped)
    sev1 = declare(client, "production-api", "SEV1", published=False)
    document = fresh(app, client, now)
    assert document["incidents"] == [] and states(document) == {
        "payment-service": "operational",
        "production-api": "operational",
    }
    assert "All Systems Operational" in client.get("/status").text
    # Five minutes on, the rule publishes the open SEV1; not the one resolved within seconds, nor the SEV3.
    document = fresh(app, client, now + timedelta(minutes=5, seconds=1))
    assert [i["id"] for i in document["incidents"]] == [f"INC-{sev1}"]
    assert states(document) == {"payment-service": "operational", "production-api": "major_outage"}


def test_a_person_publishes_and_unpublishes_through_the_api_and_that_wins_over_the_rule(app, client):
    sev3, sev1 = declare(client, "payment-service", "SEV3", published=False), declare(client, "production-api", "SEV1")
    later = datetime.now(UTC) + timedelta(minutes=10)
    assert [i["id"] for i in fresh(app, client, later)["incidents"]] == [f"INC-{sev1}"]
    answer = publish(client, sev3)
    assert answer["lifecycle"]["published"] is True
    [entry] = [e for e in answer["timeline"] if e["kind"] == "published"]
    assert (entry["message"], entry["actor"]) == (
        "Published on the status page by api:example-operator",
        "api:example-operator",
    )
    assert states(fresh(app, client, later))["payment-service"] == "degraded_performance"
    # Taken off, the SEV1 stays off although the rule would show it; a public update brings it back.
    assert publish(client, sev1, "unpublish")["lifecycle"]["published"] is False
    document = fresh(app, client, later)
    assert [i["id"] for i in document["incidents"]] == [f"INC-{sev3}"]
    assert states(document)["production-api"] == "operational"
    update(client, sev1, "API errors for some customers.", public=True)
    assert {i["id"] for i in fresh(app, client, later)["incidents"]} == {f"INC-{sev1}", f"INC-{sev3}"}
    assert client.post(f"/api/incidents/INC-{sev1}/publish").status_code == 401
    assert client.post("/api/incidents/INC-999/publish", headers=READ).status_code == 404
