"""Acknowledging and acting on incidents: one-click links, the API actions, PagerDuty V3 webhooks.

No worker runs here: decisions leave rows in the `pages` outbox, and a page counts as sent once
its row says so (`mark_sent` plays the worker's part).
"""
import hashlib
import hmac
import json
import time
from dataclasses import replace

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner

from incidents.links import Link, sign
from store.tables import incidents, pages, timeline, used_links

KEY = "exampleintegrationkey00000000001"
SECRET = "test-secret"  # SECRET_KEY of the `settings` fixture
API_TOKEN = "example-api-token-change-me"
WEBHOOK_SECRET = "example-webhook-secret"


def open_incident(client, engine, dedup_key="disk-full"):
    """A SEV3 incident on production-api, whose first page (oncall-sre) is pending; its (id, number)."""
    response = client.post("/v2/enqueue", json={
        "routing_key": KEY, "event_action": "trigger", "dedup_key": dedup_key,
        "payload": {"summary": "Disk almost full", "source": "db-1", "severity": "warning"}})
    assert response.status_code == 202, response.get_json()
    with engine.connect() as conn:
        return conn.execute(sa.select(incidents.c.id, incidents.c.number)
                            .order_by(incidents.c.id.desc()).limit(1)).one()


def first_page(engine, incident_id):
    """The incident's first trigger page: its id and the dedup key PagerDuty knows it by."""
    with engine.connect() as conn:
        return conn.execute(sa.select(pages.c.id, pages.c.dedup_key)
                            .where(pages.c.incident_id == incident_id).order_by(pages.c.id).limit(1)).one()


def mark_sent(engine, incident_id):
    """What the worker does once PagerDuty accepted them: pending triggers become sent."""
    with engine.begin() as conn:
        conn.execute(pages.update().where(pages.c.incident_id == incident_id, pages.c.action == "trigger",
                                          pages.c.status == "pending").values(status="sent", sent_at=sa.func.now()))


def outbox(engine, incident_id):
    """(action, step, target, status) of every page row, oldest first."""
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(
            sa.select(pages.c.action, pages.c.step, pages.c.target_name, pages.c.status)
            .where(pages.c.incident_id == incident_id).order_by(pages.c.id))]


def snapshot(engine, incident_id):
    """Everything an action could change: status, timeline, outbox, used links."""
    with engine.connect() as conn:
        status = conn.execute(sa.select(incidents.c.status, incidents.c.esc_token)
                              .where(incidents.c.id == incident_id)).one()
        entries = conn.execute(sa.select(timeline.c.kind, timeline.c.message)
                               .where(timeline.c.incident_id == incident_id).order_by(timeline.c.id)).all()
        used = conn.execute(sa.select(sa.func.count()).select_from(used_links)).scalar_one()
    return tuple(status), [tuple(e) for e in entries], outbox(engine, incident_id), used


def links_used(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(used_links)).scalar_one()


def detail(client, number):
    return client.get(f"/api/incidents/INC-{number}").get_json()


def messages(client, number, kind):
    """The timeline messages of one kind."""
    return [entry["message"] for entry in detail(client, number)["timeline"] if entry["kind"] == kind]


def ack_url(engine, incident, secret=SECRET):
    """The acknowledgement link a page to oncall-sre carries."""
    return "/ack/" + sign(Link(incident.id, "user:oncall-sre", "acknowledge", first_page(engine, incident.id).id),
                          secret)


def signed_ago(link, seconds, monkeypatch):
    """A token whose itsdangerous timestamp lies `seconds` in the past: time is moved for signing only."""
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - seconds)
        return sign(link, SECRET)


def act(client, number, action, token=API_TOKEN, **body):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/api/incidents/INC-{number}/{action}", headers=headers, json=body or None)


def webhook_body(event_type, incident_key, agent="Jane Doe") -> bytes:
    """A V3 webhook as PagerDuty sends it (shared/CONTRACTS.md section 4), as raw bytes."""
    return json.dumps({"event": {
        "id": "01DEN4HPBOZ5JA6N8MEVJHTAG9", "event_type": event_type, "resource_type": "incident",
        "occurred_at": "2024-05-01T10:00:00.000Z",
        "agent": {"id": "PJANE01", "type": "user_reference", "summary": agent},
        "client": None,
        "data": {"id": "Q2KLSK8WCZ2WQ9", "type": "incident", "number": 42, "status": "acknowledged",
                 "incident_key": incident_key, "title": "Disk almost full", "urgency": "high",
                 "service": {"id": "PSVC01", "summary": "production-api"}, "assignees": [],
                 "html_url": "https://example.pagerduty.com/incidents/Q2KLSK8WCZ2WQ9"}}}).encode()


def v1(raw: bytes, secret=WEBHOOK_SECRET) -> str:
    return "v1=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def deliver(client, raw: bytes, signature: str | None):
    headers = {} if signature is None else {"X-PagerDuty-Signature": signature}
    return client.post("/webhooks/pagerduty", data=raw, headers=headers, content_type="application/json")


def webhook(client, engine, incident, event_type, agent="Jane Doe"):
    """Deliver a correctly signed event about the incident's first page."""
    raw = webhook_body(event_type, first_page(engine, incident.id).dedup_key, agent)
    return deliver(client, raw, v1(raw))


# Acknowledgement links


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
    assert sorted(acks) == [("acknowledge", "ack0:0.0", "oncall-sre", "pending"),
                            ("acknowledge", "ack0:0.1", "sre-manager", "pending")]
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
    token = ack_url(engine, incident)[len("/ack/"):]
    other = sign(Link(incident.id + 1, "user:oncall-sre", "acknowledge", 1), SECRET)
    return other.split(".")[0] + "." + token.split(".", 1)[1]


@pytest.mark.parametrize("tamper", [
    _payload_of_another_incident,
    lambda engine, incident: ack_url(engine, incident, secret="not-our-secret")[len("/ack/"):],
    lambda engine, incident: "not-a-token",
], ids=["payload swapped", "signed with another key", "garbage"])
def test_a_tampered_link_answers_400_and_changes_nothing(client, engine, tamper):
    incident = open_incident(client, engine)
    url = "/ack/" + tamper(engine, incident)
    before = snapshot(engine, incident.id)
    for answer in (client.get(url), client.post(url)):
        assert answer.status_code == 400
        assert "Invalid link" in answer.get_data(as_text=True)
    assert snapshot(engine, incident.id) == before


@pytest.mark.parametrize("beyond_max_age, status", [(-60, 200), (60, 410)], ids=["just inside", "just past"])
def test_a_link_expires_after_its_maximum_age(client, engine, app, monkeypatch, beyond_max_age, status):
    incident = open_incident(client, engine)
    max_age = app.extensions["incidents"].settings.ack_link_max_age
    link = Link(incident.id, "user:oncall-sre", "acknowledge", first_page(engine, incident.id).id)
    url = "/ack/" + signed_ago(link, max_age + beyond_max_age, monkeypatch)
    assert client.get(url).status_code == status
    response = client.post(url)
    assert response.status_code == status
    if status == 410:
        assert "Link expired" in response.get_data(as_text=True)
        assert detail(client, incident.number)["status"] == "triggered"
        assert links_used(engine) == 0
    else:
        assert detail(client, incident.number)["status"] == "acknowledged"


def test_the_maximum_age_of_a_link_comes_from_the_settings(client, engine, settings, catalog, monkeypatch):
    from ingest.app import create_app
    strict = create_app(replace(settings, ack_link_max_age=300), catalog=catalog, engine=engine).test_client()
    incident = open_incident(client, engine)
    link = Link(incident.id, "user:oncall-sre", "acknowledge", first_page(engine, incident.id).id)
    url = "/ack/" + signed_ago(link, 600, monkeypatch)
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


@pytest.mark.parametrize("authorization", [
    None, "Bearer wrong-token", "Bearer ", "Basic ZXhhbXBsZS1vcGVyYXRvcjpleGFtcGxl", f"Token {API_TOKEN}",
    f"Bearer {API_TOKEN}x",
], ids=["none", "wrong token", "empty token", "basic auth", "other scheme", "token with a suffix"])
def test_actions_without_a_valid_api_token_answer_401_with_a_challenge(client, engine, authorization):
    incident = open_incident(client, engine)
    before = snapshot(engine, incident.id)
    headers = {"Authorization": authorization} if authorization else {}
    for action in ("acknowledge", "resolve", "escalate", "responders"):
        response = client.post(f"/api/incidents/INC-{incident.number}/{action}", headers=headers,
                               json={"user": "sre-manager"})
        assert response.status_code == 401, action
        assert "Bearer" in response.headers["WWW-Authenticate"]
        assert response.get_json()["error"]
    assert snapshot(engine, incident.id) == before


def test_acknowledging_through_the_api_names_the_token_holder(client, engine):
    incident = open_incident(client, engine)
    mark_sent(engine, incident.id)
    response = act(client, incident.number, "acknowledge")
    assert response.status_code == 200
    assert response.get_json()["status"] == "acknowledged"
    assert messages(client, incident.number, "acknowledged") == ["Acknowledged by example-operator (API)"]
    assert ("acknowledge", "ack0:0.0", "oncall-sre", "pending") in outbox(engine, incident.id)


def test_resolving_through_the_api_resolves_sent_pages_and_cancels_pending_ones(client, engine):
    incident = open_incident(client, engine)
    mark_sent(engine, incident.id)
    act(client, incident.number, "escalate")  # sre-manager's page is still pending
    response = act(client, incident.number, "resolve")
    assert response.status_code == 200
    found = detail(client, incident.number)
    assert found["status"] == "resolved" and found["resolved_at"]
    assert outbox(engine, incident.id) == [("trigger", "0.0", "oncall-sre", "sent"),
                                           ("trigger", "0.1", "sre-manager", "cancelled"),
                                           ("resolve", "resolve:0.0", "oncall-sre", "pending")]
    assert messages(client, incident.number, "resolved") == ["Resolved by example-operator (API)"]


def test_escalating_through_the_api_pages_the_next_level_now(client, engine):
    incident = open_incident(client, engine)
    response = act(client, incident.number, "escalate")
    assert response.status_code == 200
    assert response.get_json()["pages_queued"] == 1
    assert ("trigger", "0.1", "sre-manager", "pending") in outbox(engine, incident.id)
    assert any("escalated by example-operator (API)" in m for m in messages(client, incident.number, "paged"))


@pytest.mark.parametrize("kind, name", [("user", "sre-manager"), ("team", "sre")])
def test_a_responder_added_through_the_api_is_paged_now(client, engine, kind, name):
    incident = open_incident(client, engine)
    response = act(client, incident.number, "responders", **{kind: name})
    assert response.status_code == 200
    assert response.get_json()["pages_queued"] == 1
    assert ("trigger", "responder", name, "pending") in outbox(engine, incident.id)
    [message] = messages(client, incident.number, "responder_added")
    assert "example-operator (API)" in message and name in message


@pytest.mark.parametrize("body, field", [
    ({"user": "nobody"}, "user"), ({"team": "nobody"}, "team"),
    ({"user": "sre-manager", "team": "sre"}, "user"), ({}, "user"),
], ids=["unknown user", "unknown team", "both", "neither"])
def test_a_responder_that_is_not_exactly_one_known_name_answers_400_naming_the_field(client, engine, body, field):
    incident = open_incident(client, engine)
    before = snapshot(engine, incident.id)
    response = client.post(f"/api/incidents/INC-{incident.number}/responders",
                           headers={"Authorization": f"Bearer {API_TOKEN}"}, json=body)
    assert response.status_code == 400
    assert field in response.get_json()["fields"]
    assert snapshot(engine, incident.id) == before


@pytest.mark.parametrize("action", ["acknowledge", "resolve", "escalate", "responders"])
@pytest.mark.parametrize("ref", ["INC-99", "99", "nonsense"])
def test_actions_on_an_unknown_incident_answer_404(client, engine, action, ref):
    response = client.post(f"/api/incidents/{ref}/{action}", headers={"Authorization": f"Bearer {API_TOKEN}"},
                           json={"user": "sre-manager"})
    assert response.status_code == 404
    assert ref in response.get_json()["error"]


# PagerDuty V3 webhooks


def test_a_signed_acknowledgement_in_pagerduty_acknowledges_our_incident_through_its_dedup_key(client, engine):
    incident = open_incident(client, engine)
    response = webhook(client, engine, incident, "incident.acknowledged")
    assert response.status_code == 202
    assert response.get_json() == {"status": "applied"}
    assert detail(client, incident.number)["status"] == "acknowledged"
    assert messages(client, incident.number, "acknowledged") == ["Acknowledged by Jane Doe in PagerDuty"]


@pytest.mark.parametrize("header", [
    lambda raw: f"{v1(raw, 'the-old-secret')},{v1(raw)}",
    lambda raw: f"{v1(raw, 'the-old-secret')}, {v1(raw)}",
    lambda raw: v1(raw).upper().replace("V1=", "v1="),
], ids=["second of two", "second of two with a space", "upper-case hex"])
def test_a_signature_is_accepted_when_any_of_the_values_matches(client, engine, header):
    incident = open_incident(client, engine)
    raw = webhook_body("incident.acknowledged", first_page(engine, incident.id).dedup_key)
    assert deliver(client, raw, header(raw)).status_code == 202
    assert detail(client, incident.number)["status"] == "acknowledged"


@pytest.mark.parametrize("secret", ["the-new-secret", WEBHOOK_SECRET])
def test_both_subscription_secrets_are_accepted_during_rotation(client, engine, settings, catalog, secret):
    from ingest.app import create_app
    rotating = replace(catalog, webhook_secrets=("the-new-secret", WEBHOOK_SECRET))
    rotated = create_app(settings, catalog=rotating, engine=engine).test_client()
    incident = open_incident(client, engine)
    raw = webhook_body("incident.acknowledged", first_page(engine, incident.id).dedup_key)
    assert deliver(rotated, raw, v1(raw, secret)).status_code == 202
    assert detail(client, incident.number)["status"] == "acknowledged"


@pytest.mark.parametrize("forge", [
    lambda raw: (raw.replace(b"incident.acknowledged", b"incident.resolved"), v1(raw)),
    lambda raw: (raw + b" ", v1(raw)),
    lambda raw: (raw, v1(raw, "someone-elses-secret")),
    lambda raw: (raw, "v1=" + "0" * 64),
], ids=["event type changed", "one byte added", "other secret", "zeros"])
def test_a_signature_that_does_not_match_answers_403_and_changes_nothing(client, engine, forge):
    incident = open_incident(client, engine)
    before = snapshot(engine, incident.id)
    raw, signature = forge(webhook_body("incident.acknowledged", first_page(engine, incident.id).dedup_key))
    response = deliver(client, raw, signature)
    assert response.status_code == 403
    assert snapshot(engine, incident.id) == before


@pytest.mark.parametrize("header", [
    None, "", "v1=", "v1=not-hex-at-all", "v1=abc123", "sha256={digest}", "{digest}", "v0={digest}",
], ids=["missing", "empty", "no value", "not hex", "too short", "other scheme", "no scheme", "other version"])
def test_a_missing_or_malformed_signature_header_answers_400_and_changes_nothing(client, engine, header):
    incident = open_incident(client, engine)
    before = snapshot(engine, incident.id)
    raw = webhook_body("incident.acknowledged", first_page(engine, incident.id).dedup_key)
    digest = v1(raw).removeprefix("v1=")
    response = deliver(client, raw, None if header is None else header.format(digest=digest))
    assert response.status_code == 400
    assert "X-PagerDuty-Signature" in response.get_json()["error"]
    assert snapshot(engine, incident.id) == before


def test_the_same_webhook_delivered_twice_acknowledges_once(client, engine):
    incident = open_incident(client, engine)
    mark_sent(engine, incident.id)
    raw = webhook_body("incident.acknowledged", first_page(engine, incident.id).dedup_key)
    assert deliver(client, raw, v1(raw)).status_code == 202
    after_first = snapshot(engine, incident.id)
    assert deliver(client, raw, v1(raw)).status_code == 202
    assert snapshot(engine, incident.id) == after_first
    assert len(messages(client, incident.number, "acknowledged")) == 1
    assert [row for row in outbox(engine, incident.id) if row[0] == "acknowledge"] == [
        ("acknowledge", "ack0:0.0", "oncall-sre", "pending")]


def test_unacknowledged_in_pagerduty_puts_the_incident_back_to_triggered_and_pages_again(client, engine):
    incident = open_incident(client, engine)
    mark_sent(engine, incident.id)
    webhook(client, engine, incident, "incident.acknowledged")
    response = webhook(client, engine, incident, "incident.unacknowledged")
    assert response.status_code == 202
    found = detail(client, incident.number)
    assert found["status"] == "triggered" and found["acknowledged_at"] is None
    assert ("trigger", "0.0.r1", "oncall-sre", "pending") in outbox(engine, incident.id)
    assert messages(client, incident.number, "unacknowledged") == ["Unacknowledged by Jane Doe in PagerDuty"]


def test_resolved_in_pagerduty_resolves_our_incident(client, engine):
    incident = open_incident(client, engine)
    mark_sent(engine, incident.id)
    response = webhook(client, engine, incident, "incident.resolved", agent="Sam Smith")
    assert response.status_code == 202
    found = detail(client, incident.number)
    assert found["status"] == "resolved" and found["resolved_at"]
    assert messages(client, incident.number, "resolved") == ["Resolved by Sam Smith in PagerDuty"]
    assert ("resolve", "resolve:0.0", "oncall-sre", "pending") in outbox(engine, incident.id)


@pytest.mark.parametrize("incident_key", ["never-one-of-our-dedup-keys", None])
def test_a_webhook_for_an_incident_we_do_not_know_is_accepted_and_changes_nothing(client, engine, incident_key):
    incident = open_incident(client, engine)
    before = snapshot(engine, incident.id)
    raw = webhook_body("incident.acknowledged", incident_key)
    response = deliver(client, raw, v1(raw))
    assert response.status_code == 202
    assert response.get_json() == {"status": "ignored"}
    assert snapshot(engine, incident.id) == before


@pytest.mark.parametrize("event_type", ["incident.triggered", "incident.escalated", "incident.reopened",
                                        "incident.annotated"])
def test_event_types_we_do_not_act_on_are_accepted_and_ignored(client, engine, event_type):
    incident = open_incident(client, engine)
    before = snapshot(engine, incident.id)
    response = webhook(client, engine, incident, event_type)
    assert response.status_code == 202
    assert response.get_json() == {"status": "ignored"}
    assert snapshot(engine, incident.id) == before


def test_an_acknowledgement_spares_a_responder_page_not_yet_sent_but_a_resolve_cancels_it(client, engine):
    incident = open_incident(client, engine)
    mark_sent(engine, incident.id)
    assert act(client, incident.number, "responders", user="sre-manager").status_code == 200
    assert act(client, incident.number, "acknowledge").status_code == 200
    assert ("trigger", "responder", "sre-manager", "pending") in outbox(engine, incident.id)
    assert act(client, incident.number, "resolve").status_code == 200
    assert ("trigger", "responder", "sre-manager", "cancelled") in outbox(engine, incident.id)
