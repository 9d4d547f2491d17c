"""One-click acknowledgement links: GET confirms, POST acknowledges, once; expired, tampered, resolved."""

from dataclasses import replace

import pytest

from incidents.links import Link, sign
from tests.integration.acting import (
    SECRET,
    ack_url,
    act,
    detail,
    first_page,
    links_used,
    mark_sent,
    messages,
    open_incident,
    outbox,
    signed_ago,
    snapshot,
)
from tests.support import applying_app

pytestmark = pytest.mark.both_databases


def test_opening_a_link_shows_a_confirmation_form_and_changes_nothing(client, engine):
    incident = open_incident(client, engine)
    url = ack_url(engine, incident)
    before = snapshot(engine, incident.id)
    for _ in range(2):  # mail scanners and chat previews follow links, sometimes more than once
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert f'<form method="post" action="{url}">' in html
        assert "Acknowledge this incident?" in html and "oncall-sre" in html
    assert snapshot(engine, incident.id) == before
    assert detail(client, incident.number)["status"] == "triggered"
    assert links_used(engine) == 0


def test_posting_a_link_acknowledges_and_queues_an_acknowledge_for_each_sent_page(client, engine):
    incident = open_incident(client, engine)
    assert act(client, incident.number, "escalate").status_code == 200  # sre-manager paged too
    mark_sent(engine, incident.id)
    response = client.post(ack_url(engine, incident))
    assert response.status_code == 200
    assert "Acknowledged" in response.get_data(as_text=True)
    found = detail(client, incident.number)
    assert found["status"] == "acknowledged" and found["acknowledged_at"]
    [message] = messages(client, incident.number, "acknowledged")
    assert "oncall-sre" in message and "link" in message
    acks = [row for row in outbox(engine, incident.id) if row[0] == "acknowledge"]
    assert sorted(acks) == [
        ("acknowledge", "ack0:0.0", "oncall-sre", "pending"),
        ("acknowledge", "ack0:0.1", "sre-manager", "pending"),
    ]
    assert links_used(engine) == 1


def test_a_link_works_once_and_then_answers_409_already_used(client, engine):
    incident = open_incident(client, engine)
    mark_sent(engine, incident.id)
    url = ack_url(engine, incident)
    assert client.post(url).status_code == 200
    after_first = snapshot(engine, incident.id)
    for answer in (client.post(url), client.get(url)):
        assert answer.status_code == 409
        assert "already used" in answer.get_data(as_text=True)
    assert snapshot(engine, incident.id) == after_first
    assert len(messages(client, incident.number, "acknowledged")) == 1


def _payload_of_another_incident(engine, incident):
    token = ack_url(engine, incident)[len("/ack/") :]
    other = sign(Link(incident.id + 1, "user:oncall-sre", "acknowledge", 1), SECRET)
    return other.split(".")[0] + "." + token.split(".", 1)[1]


@pytest.mark.parametrize(
    "tamper",
    [
        _payload_of_another_incident,
        lambda engine, incident: ack_url(engine, incident, secret="not-our-secret")[len("/ack/") :],
        lambda engine, incident: "not-a-token",
    ],
    ids=["payload swapped", "signed with another key", "garbage"],
)
def test_a_tampered_link_answers_400_and_changes_nothing(client, engine, tamper):
    incident = open_incident(client, engine)
    url = "/ack/" + tamper(engine, incident)
    before = snapshot(engine, incident.id)
    for answer in (client.get(url), client.post(url)):
        assert answer.status_code == 400
        assert "Invalid link" in answer.get_data(as_text=True)
    assert snapshot(engine, incident.id) == before


@pytest.mark.parametrize("beyond_max_age, status", [(-60, 200), (60, 410)], ids=["just inside", "just past"])
def test_a_link_expires_after_its_maximum_age(client, engine, app, beyond_max_age, status):
    incident = open_incident(client, engine)
    max_age = app.extensions["incidents"].settings.ack_link_max_age
    link = Link(incident.id, "user:oncall-sre", "acknowledge", first_page(engine, incident.id).id)
    url = "/ack/" + signed_ago(link, max_age + beyond_max_age)
    assert client.get(url).status_code == status
    response = client.post(url)
    assert response.status_code == status
    if status == 410:
        assert "Link expired" in response.get_data(as_text=True)
        assert detail(client, incident.number)["status"] == "triggered"
        assert links_used(engine) == 0
    else:
        assert detail(client, incident.number)["status"] == "acknowledged"


def test_the_maximum_age_of_a_link_comes_from_the_settings(client, engine, settings, catalog):

    strict = applying_app(replace(settings, ack_link_max_age=300), catalog=catalog, engine=engine).test_client()
    incident = open_incident(client, engine)
    link = Link(incident.id, "user:oncall-sre", "acknowledge", first_page(engine, incident.id).id)
    url = "/ack/" + signed_ago(link, 600)
    assert client.get(url).status_code == 200  # the default is a day
    assert strict.get(url).status_code == 410
    assert strict.post(url).status_code == 410
    assert detail(client, incident.number)["status"] == "triggered"


def test_a_link_for_a_resolved_incident_answers_409_and_is_not_consumed(client, engine):
    incident = open_incident(client, engine)
    url = ack_url(engine, incident)
    assert act(client, incident.number, "resolve").status_code == 200
    before = snapshot(engine, incident.id)
    for answer in (client.get(url), client.post(url)):
        assert answer.status_code == 409
        html = answer.get_data(as_text=True)
        assert "Incident already resolved" in html and "nothing to acknowledge" in html
    assert snapshot(engine, incident.id) == before
    assert links_used(engine) == 0
    assert messages(client, incident.number, "acknowledged") == []


def test_a_link_for_an_incident_that_does_not_exist_answers_404(client, engine):
    url = "/ack/" + sign(Link(424242, "user:oncall-sre", "acknowledge", 1), SECRET)
    for answer in (client.get(url), client.post(url)):
        assert answer.status_code == 404
        assert "No such incident" in answer.get_data(as_text=True)
    assert links_used(engine) == 0


# The API actions
