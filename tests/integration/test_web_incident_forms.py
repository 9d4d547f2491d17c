"""Every form of the incident page: CSRF and sign-in required, the action recorded with the person as
actor, bad input answered on the page with nothing changed; the live version, the export for people."""

import html

import pytest
import sqlalchemy as sa

from store.tables import incident_actions, incident_lifecycle, status_updates, timeline
from tests.integration.acting import act, detail, open_incident, outbox, snapshot
from tests.integration.signing_in import csrf_token, signed_in
from tests.support import READ

pytestmark = pytest.mark.both_databases


def submit(client, path, **form):
    """Post a form of the incident page as a browser would (token from the page), following the redirect."""
    token = csrf_token(client.get("/incidents/INC-1").get_data(as_text=True))
    return client.post(f"/incidents/INC-1/{path}", data={"csrf_token": token, **form}, follow_redirects=True)


def acted(engine, incident_id, kind):
    """(message, actor) of the timeline entries of one kind."""
    with engine.connect() as conn:
        query = sa.select(timeline.c.message, timeline.c.actor).where(
            timeline.c.incident_id == incident_id, timeline.c.kind == kind
        )
        return [tuple(row) for row in conn.execute(query.order_by(timeline.c.id))]


def lifecycle_row(engine, incident_id):
    with engine.connect() as conn:
        return conn.execute(sa.select(incident_lifecycle).where(incident_lifecycle.c.incident_id == incident_id)).one()


def opened_and_signed_in(client, engine):
    incident = open_incident(client, engine)
    signed_in(client, engine)
    return incident


def test_taking_command_is_recorded_with_the_signed_in_person(client, engine):
    incident = opened_and_signed_in(client, engine)
    page = submit(client, "command")
    assert page.status_code == 200 and "You have command." in page.get_data(as_text=True)
    assert acted(engine, incident.id, "commander") == [("oncall-sre took command", "oncall-sre")]
    assert "@oncall-sre" in page.get_data(as_text=True)


def test_a_form_without_csrf_token_is_refused_and_changes_nothing(client, engine):
    incident = opened_and_signed_in(client, engine)
    before = snapshot(engine, incident.id)
    for path, form in (("command", {}), ("notes", {"text": "x"}), ("updates", {"status": "Identified", "text": "x"})):
        assert client.post(f"/incidents/INC-1/{path}", data=form).status_code == 400
    assert snapshot(engine, incident.id) == before


def test_a_form_without_sign_in_goes_to_sign_in_and_changes_nothing(client, engine):
    incident = open_incident(client, engine)
    before = snapshot(engine, incident.id)
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/incidents/INC-1/notes", data={"csrf_token": token, "text": "hello"})
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert snapshot(engine, incident.id) == before


def test_handing_over_and_roles_name_people_and_refuse_an_unknown_one(client, engine):
    incident = opened_and_signed_in(client, engine)
    assert "Command handed over to alice." in submit(client, "handover", to="alice").get_data(as_text=True)
    submit(client, "roles", role="scribe", person="sre-manager")
    before = snapshot(engine, incident.id)
    html = submit(client, "handover", to="mallory").get_data(as_text=True)
    assert "no person called &#34;mallory&#34; in people.yaml" in html and 'role="alert"' in html
    assert snapshot(engine, incident.id) == before
    row = lifecycle_row(engine, incident.id)
    assert row.commander == "alice" and row.roles == {"scribe": "sre-manager"}
    assert acted(engine, incident.id, "role") == [("oncall-sre gave the scribe role to sre-manager", "oncall-sre")]


def test_setting_severity_needs_a_reason_and_raising_it_is_recorded(client, engine):
    incident = opened_and_signed_in(client, engine)
    before = snapshot(engine, incident.id)
    assert "Say why the severity changes." in submit(client, "severity", severity="SEV1").get_data(as_text=True)
    assert snapshot(engine, incident.id) == before
    html = submit(client, "severity", severity="SEV1", reason="all payments failing").get_data(as_text=True)
    assert "Severity set to SEV1." in html and "🔴" in html
    assert detail(client, 1)["severity"] == "SEV1"
    [(message, actor)] = acted(engine, incident.id, "severity_raised")
    assert actor == "oncall-sre" and message.endswith("by oncall-sre: all payments failing")


def test_status_word_and_impact_are_set(client, engine):
    incident = opened_and_signed_in(client, engine)
    submit(client, "status", status="Identified", impact="Checkout is slow")
    row = lifecycle_row(engine, incident.id)
    assert (row.status_word, row.impact, row.phase) == ("Identified", "Checkout is slow", "detection")  # not acked
    submit(client, "acknowledge")
    assert lifecycle_row(engine, incident.id).phase == "mitigation"  # the phase the status word names
    assert acted(engine, incident.id, "impact") == [("Impact: Checkout is slow", "oncall-sre")]
    assert "Status: Nonsense" not in submit(client, "status", status="Nonsense").get_data(as_text=True)


def test_an_update_with_eta_and_status_page_flag_is_posted_and_an_empty_one_refused(client, engine):
    incident = opened_and_signed_in(client, engine)
    assert "Write what the update says." in submit(client, "updates", status="Identified", text=" ").get_data(
        as_text=True
    )
    assert "is not an ETA" in submit(client, "updates", status="Identified", text="x", eta="soonish").get_data(
        as_text=True
    )
    html = submit(client, "updates", status="Identified", text="Mitigation in progress", eta="15 minutes", public="on")
    assert "Update posted." in html.get_data(as_text=True) and "ETA: 15 minutes" in html.get_data(as_text=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(status_updates).where(status_updates.c.incident_id == incident.id)).all()
    assert [(r.text, r.eta, r.public, r.author) for r in rows] == [
        ("Mitigation in progress", "15 minutes", True, "oncall-sre")
    ]


def test_a_pinned_note_is_a_key_event_and_can_be_unpinned(client, engine):
    incident = opened_and_signed_in(client, engine)
    assert "Write the note." in submit(client, "notes", text="").get_data(as_text=True)
    submit(client, "notes", text="Identified DB connection pool exhaustion", pinned="on")
    [(note_id,)] = _ids(engine, incident.id, "note")
    assert lifecycle_row(engine, incident.id).pinned == [note_id]
    assert acted(engine, incident.id, "note") == [("Identified DB connection pool exhaustion", "oncall-sre")]
    submit(client, f"timeline/{note_id}/pin", pinned="0")
    assert lifecycle_row(engine, incident.id).pinned == []
    assert client.get("/incidents/INC-1.md").get_data(as_text=True).count("Identified DB") == 0


def test_the_checklist_starts_from_the_playbook_and_is_ticked_unticked_and_assigned(client, engine):
    incident = opened_and_signed_in(client, engine)
    submit(client, "actions", playbook="1")
    submit(client, "actions", text="Scale up DB connections")
    assert "Write the action." in submit(client, "actions", text="").get_data(as_text=True)
    actions = _actions(engine, incident.id)
    assert len(actions) == 5
    first = actions[0].id
    submit(client, f"actions/{first}", done="1")
    submit(client, f"actions/{first}", assignee="alice")
    assert "no person called" in submit(client, f"actions/{first}", assignee="nobody-here").get_data(as_text=True)
    row = _actions(engine, incident.id)[0]
    assert (row.done, row.done_by, row.assignee) == (True, "oncall-sre", "alice")
    submit(client, f"actions/{first}", done="0")
    assert _actions(engine, incident.id)[0].done is False
    assert [actor for _, actor in acted(engine, incident.id, "action_done")] == ["oncall-sre"]


def test_pulling_in_a_team_pages_it_and_shows_it(client, engine):
    incident = opened_and_signed_in(client, engine)
    assert "There is no team called" in submit(client, "responders", team="ghosts").get_data(as_text=True)
    html = submit(client, "responders", team="sre").get_data(as_text=True)
    assert "Team sre paged." in html and '<dd class="pulled-in">team sre</dd>' in html
    assert ("trigger", "responder", "sre", "pending") in outbox(engine, incident.id)
    assert acted(engine, incident.id, "responder_added") == [("oncall-sre paged team sre as a responder", "oncall-sre")]


def test_escalating_pages_the_next_level_and_the_page_shows_who_was_paged(client, engine):
    incident = opened_and_signed_in(client, engine)
    html = submit(client, "escalate").get_data(as_text=True)
    assert "Escalated" in html
    assert len(outbox(engine, incident.id)) == 2
    assert html.count('class="page-row"') == 2 and "sending" in html


def test_resolving_by_form_records_the_person(client, engine):
    incident = opened_and_signed_in(client, engine)
    submit(client, "resolve")
    assert detail(client, 1)["status"] == "resolved"
    assert acted(engine, incident.id, "resolved")[0][1] == "oncall-sre"


def test_the_live_version_changes_when_the_incident_does(client, engine):
    opened_and_signed_in(client, engine)
    first = client.get("/incidents/INC-1/live").get_json()["version"]
    assert client.get("/incidents/INC-1/live").get_json()["version"] == first
    submit(client, "notes", text="Looking at the database")
    assert client.get("/incidents/INC-1/live").get_json()["version"] != first
    assert client.get("/incidents/INC-9/live").status_code == 404


def test_the_markdown_export_answers_a_signed_in_person_and_a_token_but_nobody_else(client, engine):
    open_incident(client, engine)
    assert client.get("/incidents/INC-1.md").status_code == 401
    assert client.get("/incidents/INC-1.md", headers=READ).status_code == 200
    signed_in(client, engine)
    answer = client.get("/incidents/INC-1.md")
    assert answer.status_code == 200 and answer.get_data(as_text=True).startswith("#inc-1: ")


def test_the_list_filters_by_commander_and_shows_the_commander(client, engine):
    for key in ("a", "b"):
        open_incident(client, engine, dedup_key=key)
    signed_in(client, engine)
    submit(client, "command")
    html = client.get("/incidents?commander=oncall-sre").get_data(as_text=True)
    assert "INC-1" in html and "INC-2" not in html and "commander @oncall-sre" in html
    assert "no commander" in client.get("/incidents").get_data(as_text=True)


def _ids(engine, incident_id, kind):
    with engine.connect() as conn:
        query = sa.select(timeline.c.id).where(timeline.c.incident_id == incident_id, timeline.c.kind == kind)
        return conn.execute(query).all()


def _actions(engine, incident_id):
    with engine.connect() as conn:
        query = sa.select(incident_actions).where(incident_actions.c.incident_id == incident_id)
        return conn.execute(query.order_by(incident_actions.c.id)).all()


@pytest.mark.parametrize(
    "path, form",
    [
        ("notes", {"text": "   "}),
        ("severity", {"severity": "SEV1", "reason": ""}),
        ("severity", {"severity": "SEV9", "reason": "x"}),
        ("handover", {"to": "mallory"}),
        ("roles", {"role": "janitor", "person": "alice"}),
        ("updates", {"status": "Identified", "text": "x", "eta": "x" * 65}),
    ],
)
def test_the_page_and_the_api_refuse_the_same_input_with_the_same_words(client, engine, path, form):
    incident = opened_and_signed_in(client, engine)
    before = snapshot(engine, incident.id)
    answer = act(client, incident.number, path, **form)
    assert answer.status_code == 400
    (words,) = answer.get_json()["fields"].values()
    page = submit(client, path, **form).get_data(as_text=True)
    assert words in html.unescape(page) and 'role="alert"' in page
    assert snapshot(engine, incident.id) == before
