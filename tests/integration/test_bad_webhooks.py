"""Alertmanager and Grafana webhooks with a wrong field or wrong credentials: 4xx naming it, nothing stored."""

import base64

import pytest

from tests.integration.spoiling import (
    ALERTMANAGER,
    BASIC,
    BEARER,
    assert_nothing_stored,
    basic,
    drop,
    firing_alert,
    grafana,
    names,
    post_json,
    put,
    webhook,
)

# --- Alertmanager and Grafana webhooks: fields ---------------------------------------------------

WEBHOOK_FIELDS = [
    pytest.param(put("alerts", 0, "labels", ["alertname", "X"]), "alerts[0].labels", id="labels not a map"),
    pytest.param(put("alerts", 0, "labels", "alertname=X"), "alerts[0].labels", id="labels a string"),
    pytest.param(put("alerts", 0, "labels", "replicas", 3), "alerts[0].labels", id="label value a number"),
    pytest.param(put("alerts", 0, "labels", "up", None), "alerts[0].labels", id="label value null"),
    pytest.param(put("alerts", 0, "labels", "tags", ["a"]), "alerts[0].labels", id="label value a list"),
    pytest.param(
        put("alerts", 0, "annotations", "summary", {"en": "x"}),
        "alerts[0].annotations",
        id="annotation value an object",
    ),
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
    pytest.param(
        put("alerts", 0, "annotations", "summary", "\x00"), "alerts[0].annotations", id="NUL in an annotation"
    ),
    pytest.param(put("groupKey", '{}:{alertname="\x00"}'), "groupKey", id="NUL in groupKey"),
    pytest.param(put("alerts", 0, "generatorURL", "http://x/\x00"), "alerts[0].generatorURL", id="NUL in generatorURL"),
    pytest.param(
        put("alerts", 0, "labels", "instance", "\ud800"), "alerts[0].labels", id="lone surrogate in a label value"
    ),
    pytest.param(put("alerts", 0, "labels", "\udfff", "db-1"), "alerts[0].labels", id="lone surrogate in a label name"),
    pytest.param(
        put("alerts", 0, "fingerprint", "ab\ud83dcd"), "alerts[0].fingerprint", id="lone high surrogate in fingerprint"
    ),
    pytest.param(put("receiver", "oncall\udc00"), "receiver", id="lone low surrogate in receiver"),
    pytest.param(
        put("commonAnnotations", "summary", "\ud800\ud800"),
        "commonAnnotations",
        id="two high surrogates in commonAnnotations",
    ),
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


@pytest.mark.parametrize(
    "spoil, field",
    [
        pytest.param(put("orgId", "1"), "orgId", id="orgId a string"),
        pytest.param(
            put("alerts", 0, "status", "alerting"), "alerts[0].status", id="Grafana state word as alert status"
        ),
    ],
)
def test_a_grafana_webhook_with_a_wrong_field_is_refused_with_400_naming_it(client, engine, spoil, field):
    body = grafana()
    spoil(body)
    response = post_json(client, ALERTMANAGER, body, BEARER)
    assert response.status_code == 400
    assert names(response.get_json()["fields"], field), response.get_json()
    assert_nothing_stored(engine)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param([], id="a list"),
        pytest.param("firing", id="a string"),
        pytest.param(4, id="a number"),
        pytest.param(None, id="null"),
    ],
)
def test_a_webhook_body_that_is_not_an_object_is_refused_with_400(client, engine, body):
    response = post_json(client, ALERTMANAGER, body, BEARER)
    assert response.status_code == 400
    assert response.get_json()["fields"]
    assert_nothing_stored(engine)


# --- Alertmanager and Grafana webhooks: credentials ----------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
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
        pytest.param(
            {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode()}, id="basic auth not UTF-8"
        ),
        pytest.param({"Authorization": "Basic \xe9t\xe9"}, id="basic auth with non-ASCII characters"),
        pytest.param({"Authorization": "Basic "}, id="basic without credentials"),
    ],
)
def test_a_webhook_without_accepted_credentials_is_refused_with_401_and_a_challenge(client, engine, headers):
    response = post_json(client, ALERTMANAGER, webhook(), headers)
    assert response.status_code == 401, response.get_data(as_text=True)[:500]
    challenge = response.headers.get("WWW-Authenticate", "")
    assert "Bearer" in challenge and "Basic" in challenge
    assert_nothing_stored(engine)


@pytest.mark.parametrize(
    "alerts_sent",
    [
        pytest.param([firing_alert(service="checkout")], id="alert routed to the default service"),
        pytest.param(
            [firing_alert(service="payment-service"), firing_alert(service="checkout") | {"fingerprint": "f2"}],
            id="one of two alerts routed to a service the credentials do not open",
        ),
    ],
)
def test_credentials_that_do_not_open_the_routed_service_are_refused_with_403(client, engine, alerts_sent):
    response = post_json(client, ALERTMANAGER, webhook(*alerts_sent), BASIC)
    assert response.status_code == 403
    assert "production-api" in response.get_json()["error"]
    assert_nothing_stored(engine)
