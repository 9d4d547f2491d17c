"""PagerDuty V3 webhooks: signatures, and acknowledgements and resolutions made in PagerDuty."""

from dataclasses import replace

import pytest

from tests.integration.acting import (
    WEBHOOK_SECRET,
    deliver,
    detail,
    first_page,
    mark_sent,
    messages,
    open_incident,
    outbox,
    snapshot,
    v1,
    webhook,
    webhook_body,
)
from tests.support import applying_app

pytestmark = pytest.mark.both_databases


def test_a_signed_acknowledgement_in_pagerduty_acknowledges_our_incident_through_its_dedup_key(client, engine):
    incident = open_incident(client, engine)
    response = webhook(client, engine, incident, "incident.acknowledged")
    assert response.status_code == 202
    assert response.get_json() == {"status": "applied"}
    assert detail(client, incident.number)["status"] == "acknowledged"
    assert messages(client, incident.number, "acknowledged") == ["Acknowledged by Jane Doe in PagerDuty"]


@pytest.mark.parametrize(
    "header",
    [
        lambda raw: f"{v1(raw, 'the-old-secret')},{v1(raw)}",
        lambda raw: f"{v1(raw, 'the-old-secret')}, {v1(raw)}",
        lambda raw: v1(raw).upper().replace("V1=", "v1="),
    ],
    ids=["second of two", "second of two with a space", "upper-case hex"],
)
def test_a_signature_is_accepted_when_any_of_the_values_matches(client, engine, header):
    incident = open_incident(client, engine)
    raw = webhook_body("incident.acknowledged", first_page(engine, incident.id).dedup_key)
    assert deliver(client, raw, header(raw)).status_code == 202
    assert detail(client, incident.number)["status"] == "acknowledged"


@pytest.mark.parametrize("secret", ["the-new-secret", WEBHOOK_SECRET])
def test_both_subscription_secrets_are_accepted_during_rotation(client, engine, settings, catalog, secret):

    rotating = replace(catalog, webhook_secrets=("the-new-secret", WEBHOOK_SECRET))
    rotated = applying_app(settings, catalog=rotating, engine=engine).test_client()
    incident = open_incident(client, engine)
    raw = webhook_body("incident.acknowledged", first_page(engine, incident.id).dedup_key)
    assert deliver(rotated, raw, v1(raw, secret)).status_code == 202
    assert detail(client, incident.number)["status"] == "acknowledged"


@pytest.mark.parametrize(
    "forge",
    [
        lambda raw: (raw.replace(b"incident.acknowledged", b"incident.resolved"), v1(raw)),
        lambda raw: (raw + b" ", v1(raw)),
        lambda raw: (raw, v1(raw, "someone-elses-secret")),
        lambda raw: (raw, "v1=" + "0" * 64),
    ],
    ids=["event type changed", "one byte added", "other secret", "zeros"],
)
def test_a_signature_that_does_not_match_answers_403_and_changes_nothing(client, engine, forge):
    incident = open_incident(client, engine)
    before = snapshot(engine, incident.id)
    raw, signature = forge(webhook_body("incident.acknowledged", first_page(engine, incident.id).dedup_key))
    response = deliver(client, raw, signature)
    assert response.status_code == 403
    assert snapshot(engine, incident.id) == before


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "v1=",
        "v1=not-hex-at-all",
        "v1=abc123",
        "sha256={digest}",
        "{digest}",
        "v0={digest}",
    ],
    ids=["missing", "empty", "no value", "not hex", "too short", "other scheme", "no scheme", "other version"],
)
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
        ("acknowledge", "ack0:0.0", "oncall-sre", "pending")
    ]


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


@pytest.mark.parametrize(
    "event_type", ["incident.triggered", "incident.escalated", "incident.reopened", "incident.annotated"]
)
def test_event_types_we_do_not_act_on_are_accepted_and_ignored(client, engine, event_type):
    incident = open_incident(client, engine)
    before = snapshot(engine, incident.id)
    response = webhook(client, engine, incident, event_type)
    assert response.status_code == 202
    assert response.get_json() == {"status": "ignored"}
    assert snapshot(engine, incident.id) == before
