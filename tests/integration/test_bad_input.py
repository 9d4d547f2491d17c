"""Bad input on every intake endpoint is answered 4xx, names what is wrong, and stores nothing.

Each case spoils one thing in a body that is otherwise accepted (the first test proves it is),
so a refusal can only come from the thing spoiled.
"""
import base64
import json

import pytest
import sqlalchemy as sa

from store.tables import alerts, incidents, raw_requests, timeline

ALERTMANAGER = "/webhooks/alertmanager"
PAGERDUTY = "/v2/enqueue"
ROUTING_KEY = "exampleintegrationkey00000000001"
MIB = 1024 * 1024


def basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


BEARER = {"Authorization": "Bearer example-token"}
BASIC = basic("alertmanager", "example-password")  # opens payment-service only (config/services.yaml)


def firing_alert(**labels) -> dict:
    return {
        "status": "firing",
        "labels": {"alertname": "HighErrorRate", "severity": "critical", **labels},
        "annotations": {"summary": "5xx ratio above 5%"},
        "startsAt": "2026-11-26T14:33:41.755554785Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": "3674736a37fc8008",
    }


def webhook(*alerts_sent: dict) -> dict:
    """An Alertmanager v4 payload as 0.25 sends it (fixtures/alertmanager-0.25)."""
    return {
        "receiver": "incidents", "status": "firing", "alerts": list(alerts_sent) or [firing_alert(service="checkout")],
        "groupLabels": {"alertname": "HighErrorRate"}, "commonLabels": {"alertname": "HighErrorRate"},
        "commonAnnotations": {}, "externalURL": "http://alertmanager:9093", "version": "4",
        "groupKey": '{}:{alertname="HighErrorRate"}', "truncatedAlerts": 0,
    }


def grafana() -> dict:
    return {**webhook(), "version": "1", "orgId": 1, "state": "alerting", "title": "[FIRING:1]", "message": ""}


def trigger() -> dict:
    return {"routing_key": ROUTING_KEY, "event_action": "trigger", "dedup_key": "disk-full-db-1",
            "payload": {"summary": "Disk full on db-1", "source": "db-1", "severity": "critical",
                        "timestamp": "2026-11-26T14:33:41Z", "custom_details": {"free": "0%"}}}


def event(action: str) -> dict:
    return {"routing_key": ROUTING_KEY, "event_action": action, "dedup_key": "disk-full-db-1"}


def put(*path_and_value):
    """A spoiler that sets the value at a path (keys and list indexes) of a body."""
    *path, value = path_and_value

    def spoil(body):
        parent(body, path)[path[-1]] = value
    return spoil


def drop(*path):
    """A spoiler that removes the key at a path of a body."""
    def spoil(body):
        del parent(body, path)[path[-1]]
    return spoil


def parent(body, path):
    for key in path[:-1]:
        body = body[key]
    return body


def post(client, path, data: bytes, headers=None, content_type="application/json"):
    return client.post(path, data=data, headers=headers or {}, content_type=content_type)


def post_json(client, path, body, headers=None):
    # json.dumps escapes lone surrogates as \udXXX, which is what a sender of such JSON would send.
    return post(client, path, json.dumps(body).encode(), headers)


def assert_nothing_stored(engine):
    with engine.connect() as conn:
        counts = {table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                  for table in (raw_requests, incidents, alerts, timeline)}
    assert counts == {"raw_requests": 0, "incidents": 0, "alerts": 0, "timeline": 0}


def names(paths, field: str) -> bool:
    """Whether one of the error paths is `field` or lies inside it."""
    return any(path == field or path.startswith((field + ".", field + "[")) for path in paths)


def test_the_bodies_these_tests_spoil_are_accepted_when_left_alone(client):
    assert post_json(client, ALERTMANAGER, webhook(), BEARER).status_code == 200
    assert post_json(client, ALERTMANAGER, webhook(firing_alert(service="payment-service")), BASIC).status_code == 200
    assert post_json(client, ALERTMANAGER, grafana(), BEARER).status_code == 200
    for body in (trigger(), event("acknowledge"), event("resolve")):
        assert post_json(client, PAGERDUTY, body).status_code == 202, body


# --- the body as a whole, on both endpoints ------------------------------------------------------

ENDPOINTS = [
    pytest.param(ALERTMANAGER, BEARER, webhook, id="alertmanager"),
    pytest.param(PAGERDUTY, {}, trigger, id="pagerduty"),
]

UNREADABLE_BODIES = [
    pytest.param(b'{"version": "4", "status": ', id="truncated JSON"),
    pytest.param(b"{'version': '4'}", id="single-quoted pseudo JSON"),
    pytest.param(b'{"status": "firing"} trailing', id="JSON followed by garbage"),
    pytest.param(b"", id="empty body"),
    pytest.param(b'{"summary": "caf\xe9"}', id="Latin-1 body, not UTF-8"),
    pytest.param(b'{"summary": "\xed\xa0\x80"}', id="UTF-8-encoded surrogate, not UTF-8"),
    pytest.param(b'{"summary": "\xff\xfe"}', id="stray bytes, not UTF-8"),
    pytest.param(b'{"value": NaN}', id="NaN is not JSON"),
    pytest.param(b'{"value": -Infinity}', id="Infinity is not JSON"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, id="100000 nested lists"),
    pytest.param(b'{"a":' * 100_000 + b"1" + b"}" * 100_000, id="100000 nested objects"),
]


@pytest.mark.parametrize("path, headers, valid", ENDPOINTS)
@pytest.mark.parametrize("data", UNREADABLE_BODIES)
def test_a_body_that_is_not_utf8_json_is_refused_with_400(client, engine, path, headers, valid, data):
    response = post(client, path, data, headers)
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert response.is_json
    assert_nothing_stored(engine)


@pytest.mark.parametrize("path, headers, valid", ENDPOINTS)
def test_a_body_over_one_mebibyte_is_refused_with_413(client, engine, path, headers, valid):
    body = valid()
    body["padding"] = "x" * MIB  # an unknown key, ignored if it were ever read: only the size is wrong
    response = post_json(client, path, body, headers)
    assert response.status_code == 413
    assert_nothing_stored(engine)


@pytest.mark.parametrize("path, headers, valid", ENDPOINTS)
def test_a_body_just_under_the_limit_is_not_refused_for_its_size(client, path, headers, valid):
    body = valid()
    body["padding"] = ""
    body["padding"] = "x" * (MIB - len(json.dumps(body)))
    assert len(json.dumps(body)) == MIB
    assert post_json(client, path, body, headers).status_code in (200, 202)


@pytest.mark.parametrize("path, headers, valid", ENDPOINTS)
@pytest.mark.parametrize("content_type", [
    pytest.param("text/plain", id="text/plain"),
    pytest.param("application/x-www-form-urlencoded", id="form"),
    pytest.param("multipart/form-data; boundary=x", id="multipart"),
    pytest.param(None, id="no Content-Type"),
])
def test_a_body_that_is_not_declared_json_is_refused_with_415(client, engine, path, headers, valid, content_type):
    response = post(client, path, json.dumps(valid()).encode(), headers, content_type=content_type)
    assert response.status_code == 415
    answer = response.get_json()  # /v2/enqueue answers in the Events API's own shape
    assert "application/json" in (answer["message"] if path == "/v2/enqueue" else answer["error"])
    assert_nothing_stored(engine)


# --- Alertmanager and Grafana webhooks: fields ---------------------------------------------------

WEBHOOK_FIELDS = [
    pytest.param(put("alerts", 0, "labels", ["alertname", "X"]), "alerts[0].labels", id="labels not a map"),
    pytest.param(put("alerts", 0, "labels", "alertname=X"), "alerts[0].labels", id="labels a string"),
    pytest.param(put("alerts", 0, "labels", "replicas", 3), "alerts[0].labels", id="label value a number"),
    pytest.param(put("alerts", 0, "labels", "up", None), "alerts[0].labels", id="label value null"),
    pytest.param(put("alerts", 0, "labels", "tags", ["a"]), "alerts[0].labels", id="label value a list"),
    pytest.param(put("alerts", 0, "annotations", "summary", {"en": "x"}), "alerts[0].annotations",
                 id="annotation value an object"),
    pytest.param(put("alerts", 0, "status", "pending"), "alerts[0].status", id="alert status not firing/resolved"),
    pytest.param(put("alerts", 0, "status", "FIRING"), "alerts[0].status", id="alert status in capitals"),
    pytest.param(put("status", "pending"), "status", id="group status not firing/resolved"),
    pytest.param(put("status", True), "status", id="group status a boolean"),
    pytest.param(put("alerts", {"0": firing_alert()}), "alerts", id="alerts an object"),
    pytest.param(put("alerts", None), "alerts", id="alerts null"),
    pytest.param(put("alerts", ["firing"]), "alerts[0]", id="alert a string"),
    pytest.param(put("truncatedAlerts", "2"), "truncatedAlerts", id="truncatedAlerts a string"),
    pytest.param(put("truncatedAlerts", 1.5), "truncatedAlerts", id="truncatedAlerts a fraction"),
    pytest.param(put("truncatedAlerts", -1), "truncatedAlerts", id="truncatedAlerts negative"),
    pytest.param(put("version", 4), "version", id="version a number"),
    pytest.param(put("version", "5"), "version", id="version unknown"),
    pytest.param(put("groupKey", ""), "groupKey", id="groupKey empty"),
    pytest.param(put("groupKey", {"alertname": "X"}), "groupKey", id="groupKey an object"),
    pytest.param(put("groupLabels", ["alertname"]), "groupLabels", id="groupLabels a list"),
    pytest.param(put("alerts", 0, "startsAt", "yesterday"), "alerts[0].startsAt", id="startsAt not RFC 3339"),
    pytest.param(put("alerts", 0, "startsAt", 1764167621), "alerts[0].startsAt", id="startsAt a number"),
    pytest.param(put("alerts", 0, "endsAt", "2026-02-30T00:00:00Z"), "alerts[0].endsAt", id="endsAt no such day"),
    pytest.param(put("alerts", 0, "fingerprint", ""), "alerts[0].fingerprint", id="fingerprint empty"),
    pytest.param(put("alerts", 0, "fingerprint", 12345), "alerts[0].fingerprint", id="fingerprint a number"),
    pytest.param(drop("groupKey"), "groupKey", id="groupKey missing"),
    pytest.param(drop("alerts"), "alerts", id="alerts missing"),
    pytest.param(drop("status"), "status", id="group status missing"),
    pytest.param(drop("version"), "version", id="version missing"),
    pytest.param(drop("alerts", 0, "labels"), "alerts[0].labels", id="alert labels missing"),
    pytest.param(drop("alerts", 0, "status"), "alerts[0].status", id="alert status missing"),
    # PostgreSQL cannot store NUL in text or jsonb, nor can UTF-8 carry a lone surrogate.
    pytest.param(put("alerts", 0, "labels", "instance", "db-1\x00"), "alerts[0].labels", id="NUL in a label value"),
    pytest.param(put("alerts", 0, "labels", "in\x00stance", "db-1"), "alerts[0].labels", id="NUL in a label name"),
    pytest.param(put("alerts", 0, "annotations", "summary", "\x00"), "alerts[0].annotations",
                 id="NUL in an annotation"),
    pytest.param(put("groupKey", "{}:{alertname=\"\x00\"}"), "groupKey", id="NUL in groupKey"),
    pytest.param(put("alerts", 0, "generatorURL", "http://x/\x00"), "alerts[0].generatorURL",
                 id="NUL in generatorURL"),
    pytest.param(put("alerts", 0, "labels", "instance", "\ud800"), "alerts[0].labels",
                 id="lone surrogate in a label value"),
    pytest.param(put("alerts", 0, "labels", "\udfff", "db-1"), "alerts[0].labels",
                 id="lone surrogate in a label name"),
    pytest.param(put("alerts", 0, "fingerprint", "ab\ud83dcd"), "alerts[0].fingerprint",
                 id="lone high surrogate in fingerprint"),
    pytest.param(put("receiver", "oncall\udc00"), "receiver", id="lone low surrogate in receiver"),
    pytest.param(put("commonAnnotations", "summary", "\ud800\ud800"), "commonAnnotations",
                 id="two high surrogates in commonAnnotations"),
]


@pytest.mark.parametrize("spoil, field", WEBHOOK_FIELDS)
def test_a_webhook_with_a_wrong_or_missing_field_is_refused_with_400_naming_it(client, engine, spoil, field):
    body = webhook()
    spoil(body)
    response = post_json(client, ALERTMANAGER, body, BEARER)
    assert response.status_code == 400, response.get_json()
    assert names(response.get_json().get("fields", {}), field), response.get_json()
    assert_nothing_stored(engine)


def test_a_spoiled_second_alert_refuses_the_whole_request_and_the_good_first_alert_is_not_stored(client, engine):
    good, bad = firing_alert(service="checkout"), firing_alert(service="checkout")
    bad["fingerprint"], bad["status"] = "f2373b2bbdc5f603", "pending"
    response = post_json(client, ALERTMANAGER, webhook(good, bad), BEARER)
    assert response.status_code == 400
    assert names(response.get_json()["fields"], "alerts[1].status")
    assert not names(response.get_json()["fields"], "alerts[0]")
    assert_nothing_stored(engine)


@pytest.mark.parametrize("spoil, field", [
    pytest.param(put("orgId", "1"), "orgId", id="orgId a string"),
    pytest.param(put("alerts", 0, "status", "alerting"), "alerts[0].status", id="Grafana state word as alert status"),
])
def test_a_grafana_webhook_with_a_wrong_field_is_refused_with_400_naming_it(client, engine, spoil, field):
    body = grafana()
    spoil(body)
    response = post_json(client, ALERTMANAGER, body, BEARER)
    assert response.status_code == 400
    assert names(response.get_json()["fields"], field), response.get_json()
    assert_nothing_stored(engine)


@pytest.mark.parametrize("body", [
    pytest.param([], id="a list"), pytest.param("firing", id="a string"),
    pytest.param(4, id="a number"), pytest.param(None, id="null"),
])
def test_a_webhook_body_that_is_not_an_object_is_refused_with_400(client, engine, body):
    response = post_json(client, ALERTMANAGER, body, BEARER)
    assert response.status_code == 400
    assert response.get_json()["fields"]
    assert_nothing_stored(engine)


# --- Alertmanager and Grafana webhooks: credentials ----------------------------------------------

@pytest.mark.parametrize("headers", [
    pytest.param({}, id="no Authorization header"),
    pytest.param({"Authorization": ""}, id="empty Authorization header"),
    pytest.param({"Authorization": "Bearer wrong-token"}, id="wrong bearer token"),
    pytest.param({"Authorization": "Bearer example-token-and-more"}, id="bearer token with a suffix"),
    pytest.param({"Authorization": "Bearer "}, id="bearer without a token"),
    pytest.param({"Authorization": "Bearer ex\xe4mple-token"}, id="bearer token with a Latin-1 byte"),
    pytest.param({"Authorization": "Token example-token"}, id="unknown scheme"),
    pytest.param({"Authorization": "example-token"}, id="token without a scheme"),
    pytest.param(basic("alertmanager", "wrong-password"), id="wrong basic password"),
    pytest.param(basic("prometheus", "example-password"), id="wrong basic user"),
    pytest.param({"Authorization": "Basic not base64!"}, id="basic auth not base64"),
    pytest.param({"Authorization": "Basic YWxlcnRtYW5hZ2Vy"}, id="basic auth without a colon"),
    pytest.param({"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode()},
                 id="basic auth not UTF-8"),
    pytest.param({"Authorization": "Basic \xe9t\xe9"}, id="basic auth with non-ASCII characters"),
    pytest.param({"Authorization": "Basic "}, id="basic without credentials"),
])
def test_a_webhook_without_accepted_credentials_is_refused_with_401_and_a_challenge(client, engine, headers):
    response = post_json(client, ALERTMANAGER, webhook(), headers)
    assert response.status_code == 401, response.get_data(as_text=True)[:500]
    challenge = response.headers.get("WWW-Authenticate", "")
    assert "Bearer" in challenge and "Basic" in challenge
    assert_nothing_stored(engine)


@pytest.mark.parametrize("alerts_sent", [
    pytest.param([firing_alert(service="checkout")], id="alert routed to the default service"),
    pytest.param([firing_alert(service="payment-service"), firing_alert(service="checkout") | {"fingerprint": "f2"}],
                 id="one of two alerts routed to a service the credentials do not open"),
])
def test_credentials_that_do_not_open_the_routed_service_are_refused_with_403(client, engine, alerts_sent):
    response = post_json(client, ALERTMANAGER, webhook(*alerts_sent), BASIC)
    assert response.status_code == 403
    assert "production-api" in response.get_json()["error"]
    assert_nothing_stored(engine)


# --- PagerDuty Events API v2 ---------------------------------------------------------------------

PAGERDUTY_FIELDS = [
    pytest.param(trigger, put("event_action", "snooze"), "event_action", id="event_action unknown"),
    pytest.param(trigger, put("event_action", "Trigger"), "event_action", id="event_action in capitals"),
    pytest.param(trigger, put("event_action", None), "event_action", id="event_action null"),
    pytest.param(trigger, put("payload", "severity", "fatal"), "payload.severity", id="payload.severity unknown"),
    pytest.param(trigger, put("payload", "severity", 1), "payload.severity", id="payload.severity a number"),
    pytest.param(trigger, put("payload", ["Disk full"]), "payload", id="payload a list"),
    pytest.param(trigger, put("payload", "summary", ""), "payload.summary", id="payload.summary empty"),
    pytest.param(trigger, put("payload", "summary", "x" * 1025), "payload.summary", id="payload.summary too long"),
    pytest.param(trigger, put("payload", "timestamp", "now"), "payload.timestamp", id="payload.timestamp not ISO"),
    pytest.param(trigger, put("payload", "custom_details", {"a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}),
                 "payload.custom_details", id="payload.custom_details nested too deeply"),
    pytest.param(trigger, put("dedup_key", "k" * 256), "dedup_key", id="dedup_key too long"),
    pytest.param(trigger, put("dedup_key", 42), "dedup_key", id="dedup_key a number"),
    pytest.param(trigger, put("routing_key", ["key"]), "routing_key", id="routing_key a list"),
    pytest.param(trigger, drop("routing_key"), "routing_key", id="routing_key missing"),
    pytest.param(trigger, drop("event_action"), "event_action", id="event_action missing"),
    pytest.param(trigger, drop("payload"), "payload", id="payload missing for trigger"),
    pytest.param(trigger, put("payload", None), "payload", id="payload null for trigger"),
    pytest.param(trigger, drop("payload", "summary"), "payload.summary", id="payload.summary missing"),
    pytest.param(trigger, drop("payload", "source"), "payload.source", id="payload.source missing"),
    pytest.param(trigger, drop("payload", "severity"), "payload.severity", id="payload.severity missing"),
    pytest.param(lambda: event("resolve"), drop("dedup_key"), "dedup_key", id="dedup_key missing for resolve"),
    pytest.param(lambda: event("acknowledge"), drop("dedup_key"), "dedup_key",
                 id="dedup_key missing for acknowledge"),
    pytest.param(lambda: event("resolve"), put("dedup_key", ""), "dedup_key", id="dedup_key empty for resolve"),
    pytest.param(trigger, put("payload", "summary", "Disk\x00full"), "payload.summary", id="NUL in summary"),
    pytest.param(trigger, put("dedup_key", "\x00"), "dedup_key", id="NUL in dedup_key"),
    pytest.param(trigger, put("payload", "custom_details", {"log": ["ok", "\x00"]}), "payload.custom_details",
                 id="NUL inside custom_details"),
    pytest.param(trigger, put("payload", "custom_details", {"\x00": 1}), "payload.custom_details",
                 id="NUL in a custom_details key"),
    pytest.param(trigger, put("payload", "source", "db-\ud800"), "payload.source", id="lone surrogate in source"),
    pytest.param(trigger, put("routing_key", ROUTING_KEY + "\udfff"), "routing_key",
                 id="lone surrogate in routing_key"),
    pytest.param(trigger, put("payload", "custom_details", {"k": {"\udc80": "v"}}), "payload.custom_details",
                 id="lone surrogate in a custom_details key"),
    pytest.param(trigger, put("payload", "component", "\ud83d"), "payload.component",
                 id="half an emoji in component"),
]


@pytest.mark.parametrize("valid, spoil, field", PAGERDUTY_FIELDS)
def test_a_pagerduty_event_with_a_wrong_or_missing_field_is_refused_in_pagerdutys_shape_naming_it(
        client, engine, valid, spoil, field):
    body = valid()
    spoil(body)
    response = post_json(client, PAGERDUTY, body)
    assert response.status_code == 400, response.get_json()
    answer = response.get_json()
    assert answer["status"] == "invalid event" and isinstance(answer["message"], str), answer
    assert names([error.partition(":")[0] for error in answer["errors"]], field), answer
    assert_nothing_stored(engine)


@pytest.mark.parametrize("routing_key", [
    pytest.param("unknownintegrationkey0000000001", id="unknown key"),
    pytest.param(ROUTING_KEY.upper(), id="known key in capitals"),
    pytest.param(ROUTING_KEY[:-1], id="known key cut short"),
    pytest.param(" " + ROUTING_KEY, id="known key with a leading space"),
])
def test_an_unknown_routing_key_is_refused_with_400_in_pagerdutys_shape(client, engine, routing_key):
    response = post_json(client, PAGERDUTY, trigger() | {"routing_key": routing_key})
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["status"] == "invalid event" and isinstance(answer["message"], str), answer
    assert any("routing key" in error.lower() for error in answer["errors"]), answer
    assert_nothing_stored(engine)


@pytest.mark.parametrize("body", [
    pytest.param([], id="a list"), pytest.param("trigger", id="a string"), pytest.param(None, id="null"),
])
def test_a_pagerduty_body_that_is_not_an_object_is_refused_in_pagerdutys_shape(client, engine, body):
    response = post_json(client, PAGERDUTY, body)
    assert response.status_code == 400
    assert response.get_json()["status"] == "invalid event" and response.get_json()["errors"]
    assert_nothing_stored(engine)
