"""Reopening a resolved incident (#14 §4), from its page and through the API: with a reason on the timeline,
acknowledged by who reopened it, investigated again; refused while open or while a newer incident holds its alerts."""

import html

import pytest
import sqlalchemy as sa

from store.tables import incidents, timeline
from tests.integration.acting import act, detail, open_incident, snapshot
from tests.integration.signing_in import csrf_token, signed_in
from tests.support import READ

pytestmark = pytest.mark.both_databases


def reopen_form(client, **form):
    page = client.get("/incidents/INC-1").get_data(as_text=True)
    return client.post("/incidents/INC-1/reopen", data={"csrf_token": csrf_token(page), **form})


def reopened_entries(engine):
    with engine.connect() as conn:
        query = sa.select(timeline.c.message, timeline.c.actor, timeline.c.data).where(timeline.c.kind == "reopened")
        return [(message, actor, data["reason"]) for message, actor, data in conn.execute(query)]


def test_a_resolved_incident_is_reopened_from_its_page_with_the_reason_on_the_timeline(client, engine):
    incident = open_incident(client, engine)
    act(client, incident.number, "acknowledge")
    act(client, incident.number, "resolve")
    signed_in(client, engine)
    page = client.get("/incidents/INC-1").get_data(as_text=True)
    assert 'action="/incidents/INC-1/reopen"' in page
    answer = reopen_form(client, reason="Disk filled up again")
    assert answer.status_code == 303
    assert reopened_entries(engine) == [
        ("Reopened by oncall-sre: Disk filled up again", "oncall-sre", "Disk filled up again")
    ]
    document = detail(client, incident.number)
    assert document["status"] == "acknowledged" and document["resolved_at"] is None
    assert (document["lifecycle"]["status"], document["lifecycle"]["phase"]) == ("Investigating", "response")
    assert document["lifecycle"]["next_update_due"] is not None
    page = client.get("/incidents/INC-1").get_data(as_text=True)
    assert "Reopened: you are on it" in page and 'action="/incidents/INC-1/reopen"' not in page
    assert "Disk filled up again" in html.unescape(page)  # key events and timeline


def test_reopening_without_a_reason_keeps_the_form_and_changes_nothing(client, engine):
    incident = open_incident(client, engine)
    act(client, incident.number, "resolve")
    signed_in(client, engine)
    before = snapshot(engine, incident.id)
    answer = reopen_form(client, reason="   ")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Say why the incident is reopened." in page
    assert 'id="reopen-reason-error" role="alert"' in page
    assert snapshot(engine, incident.id) == before


def test_the_api_reopens_and_refuses_an_open_incident_with_409(client, engine):
    incident = open_incident(client, engine)
    refused = act(client, incident.number, "reopen", reason="why not")
    assert refused.status_code == 409 and "Only a resolved incident" in refused.get_json()["error"]
    assert act(client, incident.number, "reopen", reason="").status_code == 400
    act(client, incident.number, "resolve")
    answer = act(client, incident.number, "reopen", reason="Errors are back")
    assert answer.status_code == 200 and answer.get_json()["status"] == "acknowledged"
    assert reopened_entries(engine) == [
        ("Reopened by example-operator (API): Errors are back", "api:example-operator", "Errors are back")
    ]


def test_an_incident_whose_alerts_opened_a_newer_one_is_not_reopened(client, engine):
    first = open_incident(client, engine)
    act(client, first.number, "resolve")
    second = open_incident(client, engine)  # the same dedup key, after the resolution: a new incident
    assert second.number != first.number
    answer = act(client, first.number, "reopen", reason="Errors are back")
    assert answer.status_code == 409 and f"INC-{second.number} is open" in answer.get_json()["error"]
    with engine.connect() as conn:
        assert conn.execute(sa.select(incidents.c.status).where(incidents.c.id == first.id)).scalar_one() == "resolved"


def test_the_post_mortem_of_a_reopened_incident_reads_as_open_again(client, engine):
    incident = open_incident(client, engine)
    act(client, incident.number, "resolve")
    assert act(client, incident.number, "reopen", reason="Errors are back").status_code == 200
    answer = client.get(f"/api/incidents/INC-{incident.number}/postmortem", headers=READ)
    assert answer.status_code == 200  # the draft is first written now, with no resolution time (it was a 500)
    assert "open again since it was reopened" in answer.get_json()["text"]
    assert "- Duration: still open (reopened;" in answer.get_json()["text"]
