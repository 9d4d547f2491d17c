"""Publishing an incident on the public status page from its page (a signed-in person, a CSRF form), and
the migration that keeps incidents with a public update on the page."""

import html

import pytest
import sqlalchemy as sa

from store.db import create_engine
from store.migrate import upgrade
from store.tables import incident_lifecycle, timeline
from tests.integration.acting import open_incident
from tests.integration.signing_in import csrf_token, signed_in
from tests.integration.status_paging import fresh

pytestmark = pytest.mark.both_databases


def page_text(client) -> str:
    return html.unescape(client.get("/incidents/INC-1").get_data(as_text=True))


def submit(client, choice):
    token = csrf_token(client.get("/incidents/INC-1").get_data(as_text=True))
    return client.post(f"/incidents/INC-1/{choice}", data={"csrf_token": token}, follow_redirects=True)


def test_a_person_publishes_and_takes_off_an_incident_from_its_page(app, client, engine):
    incident = open_incident(client, engine)  # a SEV3 on production-api, a public component
    signed_in(client, engine)
    shown = page_text(client)
    assert "Not on the status page: publish it, or post a public update." in shown
    assert "Publish on the status page" in shown
    assert fresh(app, client)["incidents"] == []
    answer = submit(client, "publish")
    assert answer.status_code == 200 and "Published on the status page." in answer.get_data(as_text=True)
    shown = page_text(client)
    assert "On the status page: a person published it." in shown and "Take off the status page" in shown
    assert [i["id"] for i in fresh(app, client)["incidents"]] == ["INC-1"]
    assert "Taken off the status page." in submit(client, "unpublish").get_data(as_text=True)
    assert "Not on the status page: a person took it off." in page_text(client)
    assert fresh(app, client)["incidents"] == []
    with engine.connect() as conn:
        entries = conn.execute(
            sa.select(timeline.c.kind, timeline.c.actor)
            .where(timeline.c.incident_id == incident.id, timeline.c.kind.in_(["published", "unpublished"]))
            .order_by(timeline.c.id)
        ).all()
        chosen = conn.execute(
            sa.select(incident_lifecycle.c.published).where(incident_lifecycle.c.incident_id == incident.id)
        ).scalar_one()
    assert [tuple(e) for e in entries] == [("published", "oncall-sre"), ("unpublished", "oncall-sre")]
    assert chosen is False


def test_publishing_from_the_page_needs_sign_in_and_a_csrf_token(client, engine):
    open_incident(client, engine)
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    answer = client.post("/incidents/INC-1/publish", data={"csrf_token": token})
    assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"]
    signed_in(client, engine)
    assert client.post("/incidents/INC-1/publish").status_code == 400
    assert "Not on the status page" in page_text(client)


def test_migration_0023_keeps_incidents_with_a_public_update_on_the_page(tmp_path):
    url = f"sqlite:///{tmp_path / 'older.db'}"
    upgrade(url, "0022")
    older = create_engine(url)
    at = "'2026-05-01 10:02:00'"
    with older.begin() as conn:
        for number, public in ((1, True), (2, False)):
            conn.execute(
                sa.text(
                    "INSERT INTO incidents (id, number, service, group_key, group_hash, status, severity, title,"
                    " source, opened_at, last_alert_at, alert_events, open_token, policy) VALUES (:n, :n, 'api',"
                    f" :g, :g, 'triggered', 2, 't', 'test', {at}, {at}, 1, 1, '{{}}')"
                ),
                {"n": number, "g": f"g{number}"},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO incident_lifecycle (incident_id, phase, phase_times, problem_started_at, detected_at,"
                    f" status_word, affected, roles, pinned, breaches) VALUES (:n, 'response', '[]', {at}, {at},"
                    " 'Identified', '[\"api\"]', '{}', '[]', '[]')"
                ),
                {"n": number},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO status_updates (incident_id, status_word, text, author, at, public)"
                    f" VALUES (:n, 'Identified', 'x', 'alice', {at}, :public)"
                ),
                {"n": number, "public": public},
            )
    upgrade(url)
    with older.connect() as conn:
        found = conn.execute(sa.text("SELECT incident_id, published FROM incident_lifecycle ORDER BY 1")).all()
    older.dispose()
    assert [tuple(row) for row in found] == [(1, 1), (2, None)]
