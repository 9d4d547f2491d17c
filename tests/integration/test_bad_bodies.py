"""Bodies unreadable as a whole, on every intake endpoint: 4xx, nothing stored."""

import json

import pytest

from settings.env import MAX_BODY_BYTES as LIMIT
from tests.integration.spoiling import (
    ALERTMANAGER,
    BASIC,
    BEARER,
    PAGERDUTY,
    assert_nothing_stored,
    event,
    firing_alert,
    grafana,
    post,
    post_json,
    trigger,
    webhook,
)


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
def test_a_body_over_the_limit_is_refused_with_413(client, engine, path, headers, valid):
    body = valid()
    body["padding"] = "x" * LIMIT  # an unknown key, ignored if it were ever read: only the size is wrong
    response = post_json(client, path, body, headers)
    assert response.status_code == 413
    assert_nothing_stored(engine)


@pytest.mark.parametrize("path, headers, valid", ENDPOINTS)
def test_a_body_just_under_the_limit_is_not_refused_for_its_size(client, path, headers, valid):
    body = valid()
    body["padding"] = ""
    body["padding"] = "x" * (LIMIT - len(json.dumps(body)))
    assert len(json.dumps(body)) == LIMIT
    assert post_json(client, path, body, headers).status_code in (200, 202)


@pytest.mark.parametrize("path, headers, valid", ENDPOINTS)
@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param("text/plain", id="text/plain"),
        pytest.param("application/x-www-form-urlencoded", id="form"),
        pytest.param("multipart/form-data; boundary=x", id="multipart"),
        pytest.param(None, id="no Content-Type"),
    ],
)
def test_a_body_that_is_not_declared_json_is_refused_with_415(client, engine, path, headers, valid, content_type):
    response = post(client, path, json.dumps(valid()).encode(), headers, content_type=content_type)
    assert response.status_code == 415
    answer = response.get_json()  # /v2/enqueue answers in the Events API's own shape
    assert "application/json" in (answer["message"] if path == "/v2/enqueue" else answer["error"])
    assert_nothing_stored(engine)
