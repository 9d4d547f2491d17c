"""Running an incident through the API: every action and its timeline entry with its actor, declaring
one, severity chosen by a person against alerts, and the Markdown export of a full incident."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from commands import incident as store
from commands.escalation import act as escalation_act
from incidents.lifecycle import StatusWord
from store.tables import incident_lifecycle, incidents, timeline
from tests.channel_template import issue_template
from tests.integration.acting import act, detail, mark_sent, open_incident, outbox
from tests.support import READ

pytestmark = pytest.mark.both_databases

PAYMENTS_KEY = "examplepaymentskey00000000000002"


def entries(engine, incident_id, kind):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(timeline.c.message, timeline.c.actor)
            .where(timeline.c.incident_id == incident_id, timeline.c.kind == kind)
            .order_by(timeline.c.id)
        ).all()


def test_every_action_is_on_the_timeline_with_who_did_it(client, engine):
    incident = open_incident(client, engine)
    n = incident.number
    assert act(client, n, "acknowledge").status_code == 200
    assert act(client, n, "command", person="alice").status_code == 200
    assert act(client, n, "handover", to="oncall-sre").status_code == 200
    assert act(client, n, "roles", role="scribe", person="alice").status_code == 200
    assert act(client, n, "status", status="Identified", impact="Disk full on db-1").status_code == 200
    update = act(client, n, "updates", status="Identified", text="Cleaning up", eta="15 minutes")
    assert update.status_code == 201
    note = act(client, n, "notes", text="Found the culprit", pinned=True)
    assert note.status_code == 201
    assert act(client, n, "actions", playbook=True).status_code == 201
    action_id = act(client, n, "actions", text="Rotate logs").get_json()["created_id"]
    assert act(client, n, f"actions/{action_id}", done=True, assignee="alice").status_code == 200
    assert act(client, n, f"notes/{note.get_json()['created_id']}/pin", pinned=False).status_code == 200
    document = detail(client, n)
    lc = document["lifecycle"]
    assert (lc["commander"], lc["roles"], lc["status"], lc["phase"], lc["impact"], lc["pinned"]) == (
        "oncall-sre",
        {"scribe": "alice"},
        "Identified",
        "mitigation",
        "Disk full on db-1",
        [],
    )
    assert lc["next_update_due"] is not None  # SEV3: every 2 hours
    assert [a["text"] for a in document["actions"]][-1] == "Rotate logs" and len(document["actions"]) == 5
    assert document["actions"][-1]["done"] and document["actions"][-1]["assignee"] == "alice"
    assert document["updates"][0] | {"at": None, "eta_at": None} == {
        "status": "Identified",
        "text": "Cleaning up",
        "eta": "15 minutes",
        "eta_at": None,
        "author": "api:example-operator",
        "at": None,
        "public": False,
    }
    kinds = [e["kind"] for e in document["timeline"]]
    for kind in ("commander", "role", "status", "impact", "update", "note", "pinned", "unpinned", "action_done"):
        assert kind in kinds, kind
    assert {e["actor"] for e in document["timeline"] if e["kind"] in ("note", "commander")} == {"api:example-operator"}
    assert {e["actor"] for e in document["timeline"] if e["kind"] == "opened"} == {"pagerduty"}


def test_wrong_requests_are_answered_with_the_field(client, engine):
    n = open_incident(client, engine).number
    assert act(client, n, "command", person="nobody-here").get_json()["fields"] == {
        "person": 'no person called "nobody-here" in people.yaml'
    }
    assert "eta" in act(client, n, "updates", status="Identified", text="x", eta="soonish").get_json()["fields"]
    assert "status" in act(client, n, "status", status="Sleeping").get_json()["fields"]
    assert act(client, n, "actions/999", done=True).status_code == 404
    assert act(client, 999, "command", person="alice").status_code == 404
    assert act(client, n, "command", token=None, person="alice").status_code == 401


def test_text_the_database_cannot_hold_is_a_400_naming_the_field_not_a_500(client, engine):
    # Found probing the new /openapi.json operations as schemathesis does: NUL and lone surrogates reached
    # PostgreSQL, as did times outside years 1..9999 in UTC and ids past BIGINT.
    n = open_incident(client, engine).number
    refused = [
        act(client, n, "notes", text="a\x00b"),
        act(client, n, "severity", severity="SEV2", reason="\x00"),
        act(client, n, "status", status="Identified", impact="\x00", affected=["\x00"]),
        act(client, n, "actions", text="\ud800"),
        act(client, n, "updates", status="Identified", text="x", eta="9999999999999999999999 hours"),
        act(client, n, "updates", status="Identified", text="x", eta="9999-12-31T23:59:59-14:00"),
    ]
    assert [r.status_code for r in refused] == [400] * len(refused), [r.get_json() for r in refused]
    assert "eta" in refused[-1].get_json()["fields"]
    declared = {
        "title": "t\x00",
        "service": "production-api",
        "severity": "SEV3",
        "started_at": "0001-01-01T00:00+14:00",
    }
    assert set(client.post("/api/incidents", headers=READ, json=declared).get_json()["fields"]) == {
        "title",
        "started_at",
    }
    for path in ("notes/99999999999999999999/pin", "actions/99999999999999999999"):
        assert act(client, n, path, done=True).status_code == 404


def test_the_first_acknowledgement_starts_response_whichever_way(client, engine):
    incident = open_incident(client, engine)
    assert detail(client, incident.number)["lifecycle"]["phase"] == "detection"
    act(client, incident.number, "acknowledge")
    lc = detail(client, incident.number)["lifecycle"]
    assert lc["phase"] == "response" and "response" in lc["phase_times"]
    act(client, incident.number, "resolve")
    assert detail(client, incident.number)["lifecycle"]["phase"] == "postmortem"


def test_a_declared_incident_pages_like_an_alert_born_one(client, engine):
    response = client.post(
        "/api/incidents",
        headers=READ,
        json={
            "title": "Checkout broken for EU users",
            "service": "payment-service",
            "severity": "SEV1",
            "impact": "EU customers cannot pay",
            "found_by": "support escalation",
        },
    )
    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    assert (document["number"], document["severity"], document["lifecycle"]["impact"]) == (
        1,
        "SEV1",
        "EU customers cannot pay",
    )
    # SEV1: the first level and, at once, the last level
    assert [(step, target) for _, step, target, _ in outbox(engine, 1)] == [
        ("0.0", "oncall-sre"),
        ("0.1.s", "sre-manager"),
    ]
    kinds = [e["kind"] for e in document["timeline"]]
    assert kinds[0] == "opened" and "declared" in kinds


def test_declaring_names_every_wrong_field_at_once(client):
    response = client.post("/api/incidents", headers=READ, json={"title": "x", "service": "nope", "severity": "SEV9"})
    assert response.status_code == 400 and set(response.get_json()["fields"]) == {"service", "severity"}


def test_a_lowered_severity_stands_until_a_higher_alert_arrives_after_it(client, engine, catalog):
    trigger = {
        "routing_key": "exampleintegrationkey00000000001",
        "event_action": "trigger",
        "dedup_key": "db",
        "payload": {"summary": "DB errors", "source": "db-1", "severity": "error"},
    }
    assert client.post("/v2/enqueue", json=trigger).status_code == 202
    assert detail(client, 1)["severity"] == "SEV2"
    assert act(client, 1, "severity", severity="SEV3", reason="one replica only").status_code == 200
    assert client.post("/v2/enqueue", json=trigger).status_code == 202  # the same alert again
    assert client.post("/v2/enqueue", json=trigger).status_code == 202  # and again, in a tick's drain
    assert detail(client, 1)["severity"] == "SEV3"
    assert act(client, 1, "severity", severity="SEV1", reason="site down").status_code == 200
    assert detail(client, 1)["severity"] == "SEV1"
    assert ("0.1.s", "sre-manager") in [(step, target) for _, step, target, _ in outbox(engine, 1)]


TEMPLATE = issue_template(1)


def at(minute):
    return datetime(2026, 5, 1, 10, minute, tzinfo=UTC)


def test_the_markdown_export_of_a_full_incident_is_the_template(client, engine, catalog):
    trigger = {
        "routing_key": PAYMENTS_KEY,
        "event_action": "trigger",
        "dedup_key": "payments",
        "payload": {"summary": "Payment Service Outage", "source": "pay-1", "severity": "critical"},
    }
    assert client.post("/v2/enqueue", json=trigger).status_code == 202
    with engine.begin() as conn:  # the intake stamps the real time; move its entries to 10:30
        conn.execute(timeline.update().values(at=at(30)))
        conn.execute(incident_lifecycle.update().values(problem_started_at=at(30), detected_at=at(30)))
    mark_sent(engine, 1)
    ctx = {"catalog": catalog, "actor": "alice"}
    from incidents import escalation

    escalation_act(
        engine,
        lambda plan, state: escalation.acknowledge(plan, state, at(32), by="alice"),
        catalog=catalog,
        now=at(32),
        number=1,
        actor="alice",
    )
    store.take_command(engine, 1, "alice", now=at(33), **ctx)
    with engine.begin() as conn:  # what the chat helper writes once a channel exists
        conn.execute(
            timeline.insert().values(
                incident_id=1, at=at(35), kind="channel_created", message="Incident channel created", data={}
            )
        )
    store.set_status(engine, 1, StatusWord.INVESTIGATING, impact="All payment processing failing", now=at(36), **ctx)
    store.add_note(engine, 1, "Identified DB connection pool exhaustion", pinned=True, now=at(40), **ctx)
    store.add_note(engine, 1, "Looked at dashboards", now=at(41), **ctx)
    for minute, text in (
        (41, "Enabled circuit breaker on payment service"),
        (42, "Rolling restart of payment pods"),
        (43, "Scaling up DB connections"),
    ):
        store.add_action(engine, 1, text, now=at(minute), **ctx)
    store.change_action(engine, 1, 1, done=True, now=at(44), **ctx)
    store.post_update(engine, 1, StatusWord.INVESTIGATING, "Mitigation in progress", "15 minutes", now=at(45), **ctx)
    response = client.get("/incidents/INC-1.md", headers=READ)
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    expected = TEMPLATE.splitlines()
    expected.insert(10, "- 10:33 - alice took command")  # a commander change is a key event too
    assert response.get_data(as_text=True).splitlines() == expected


def test_the_export_of_a_resolved_incident_says_when_instead_of_an_eta(client, engine):
    n = open_incident(client, engine).number
    assert act(client, n, "updates", status="Monitoring", text="Fix out", eta="15 minutes").status_code == 201
    assert act(client, n, "resolve").status_code == 200
    with engine.connect() as conn:
        resolved_at = conn.execute(sa.select(incidents.c.resolved_at).where(incidents.c.number == n)).scalar_one()
    lines = client.get(f"/incidents/INC-{n}.md", headers=READ).get_data(as_text=True).splitlines()
    assert lines[-1] == f"- Resolved at {resolved_at.astimezone(UTC):%H:%M} UTC"
    assert not [line for line in lines if "ETA" in line]


def test_the_export_needs_an_api_token(client, engine):
    open_incident(client, engine)
    assert client.get("/incidents/INC-1.md").status_code == 401
    assert client.get("/incidents/INC-9.md", headers=READ).status_code == 404


def test_an_acknowledgement_before_the_sev1_manager_page_is_sent_does_not_cancel_it(client, engine):
    body = {"title": "Site down", "service": "payment-service", "severity": "SEV1", "impact": "Nothing loads"}
    assert client.post("/api/incidents", headers=READ, json=body).status_code == 201
    assert act(client, 1, "acknowledge").status_code == 200  # before any worker sent a page
    states = {(step, target): state for _, step, target, state in outbox(engine, 1)}
    assert states[("0.0", "oncall-sre")] == "cancelled"  # the acknowledgement answers the first level
    assert states[("0.1.s", "sre-manager")] == "pending"  # SEV1 tells the manager whoever answered
