"""PagerDuty's Change Events API on /v2/change/enqueue: its documented example, its answers, bad input."""

import json
from datetime import UTC, datetime

import pytest

from store.db import create_engine
from tests.integration.changing import (
    CHANGE_EVENTS,
    ROUTING_KEY,
    UNREACHABLE_DB,
    assert_no_change_stored,
    change_event,
    stored,
)
from tests.integration.spoiling import drop, names, post, post_json, put
from tests.support import READ, applying_app
from workers.inbox import replay

pytestmark = pytest.mark.both_databases


def test_pagerdutys_documented_example_is_answered_202_and_stored_with_its_raw_body(client, engine):
    body = json.dumps(change_event()).encode()
    response = post(client, CHANGE_EVENTS, body)
    assert response.status_code == 202
    assert response.get_json() == {"status": "success", "message": "Change event processed"}
    (change,), (raw,) = stored(engine)
    assert (raw.source, bytes(raw.body), change.raw_request_id) == ("pagerduty_change", body, raw.id)
    assert (change.service, change.source) == ("production-api", "pagerduty_change")
    assert change.summary == "Build Success: Increase snapshot create timeout to 30 seconds"
    assert change.origin == "acme-build-pipeline-tool-default-i-9999"
    assert change.changed_at == datetime(2020, 7, 17, 8, 42, 58, 315000, tzinfo=UTC)  # "+0000", as PagerDuty writes
    assert change.custom_details == {"build_state": "passed", "build_number": "2", "run_time": "1236s"}
    assert change.links == [{"href": "https://acme.pagerduty.dev/build/2", "text": "View more details in Acme!"}]
    assert change.received_at == raw.received_at


def test_a_change_event_without_timestamp_changed_when_it_was_received(client, engine):
    body = change_event()
    del body["payload"]["timestamp"]
    assert post_json(client, CHANGE_EVENTS, body).status_code == 202
    (change,), _ = stored(engine)
    assert change.changed_at == change.received_at


def test_only_summary_and_routing_key_are_needed(client, engine):
    response = post_json(client, CHANGE_EVENTS, {"routing_key": ROUTING_KEY, "payload": {"summary": "Flag on"}})
    assert response.status_code == 202
    (change,), _ = stored(engine)
    assert (change.summary, change.links, change.origin, change.custom_details) == ("Flag on", [], None, None)


def test_a_change_event_opens_no_incident(client, engine):
    post_json(client, CHANGE_EVENTS, change_event())
    assert client.get("/api/incidents", headers=READ).get_json()["total"] == 0


CHANGE_FIELDS = [
    pytest.param(drop("routing_key"), "routing_key", id="routing_key missing"),
    pytest.param(drop("payload"), "payload", id="payload missing"),
    pytest.param(drop("payload", "summary"), "payload.summary", id="payload.summary missing"),
    pytest.param(put("routing_key", 42), "routing_key", id="routing_key a number"),
    pytest.param(put("routing_key", None), "routing_key", id="routing_key null"),
    pytest.param(put("payload", "summary", "x" * 1025), "payload.summary", id="payload.summary over 1024"),
    pytest.param(put("payload", "summary", ""), "payload.summary", id="payload.summary empty"),
    pytest.param(put("payload", "summary", ["Build"]), "payload.summary", id="payload.summary a list"),
    pytest.param(put("payload", "Build Success"), "payload", id="payload a string"),
    pytest.param(put("payload", "timestamp", "yesterday"), "payload.timestamp", id="payload.timestamp not ISO"),
    pytest.param(put("payload", "timestamp", 1595000000), "payload.timestamp", id="payload.timestamp a number"),
    pytest.param(put("payload", "source", {"host": "ci"}), "payload.source", id="payload.source an object"),
    pytest.param(put("payload", "custom_details", {"k": "\x00"}), "payload.custom_details", id="NUL in details"),
    pytest.param(put("links", {"href": "https://ci"}), "links", id="links an object"),
    pytest.param(put("links", [{"text": "no href"}]), "links[0].href", id="a link without href"),
    pytest.param(put("links", [{"href": 7}]), "links[0].href", id="a link's href a number"),
]


@pytest.mark.parametrize("spoil, field", CHANGE_FIELDS)
def test_a_change_event_with_a_wrong_or_missing_field_is_refused_in_pagerdutys_shape_naming_it(
    client, engine, spoil, field
):
    body = change_event()
    spoil(body)
    response = post_json(client, CHANGE_EVENTS, body)
    assert response.status_code == 400, response.get_json()
    answer = response.get_json()
    assert (answer["status"], answer["message"]) == ("invalid event", "Event object is invalid"), answer
    assert names([error.partition(":")[0] for error in answer["errors"]], field), answer
    assert_no_change_stored(engine)


def test_a_summary_of_exactly_1024_characters_is_accepted(client, engine):
    body = change_event()
    body["payload"]["summary"] = "x" * 1024
    assert post_json(client, CHANGE_EVENTS, body).status_code == 202


@pytest.mark.parametrize(
    "routing_key",
    [
        pytest.param("samplekeyhere", id="the example's key, configured nowhere"),
        pytest.param(ROUTING_KEY.upper(), id="known key in capitals"),
        pytest.param(ROUTING_KEY[:-1], id="known key cut short"),
    ],
)
def test_an_unknown_routing_key_is_refused_with_400_in_pagerdutys_shape(client, engine, routing_key):
    response = post_json(client, CHANGE_EVENTS, change_event() | {"routing_key": routing_key})
    assert response.status_code == 400
    assert response.get_json() == {
        "status": "invalid event",
        "message": "Event object is invalid",
        "errors": ["Invalid routing key"],
    }
    assert_no_change_stored(engine)


@pytest.mark.parametrize("body", [pytest.param([], id="a list"), pytest.param(None, id="null")])
def test_a_body_that_is_not_an_object_is_refused_in_pagerdutys_shape(client, engine, body):
    response = post_json(client, CHANGE_EVENTS, body)
    assert response.status_code == 400 and response.get_json()["status"] == "invalid event"
    assert_no_change_stored(engine)


def test_not_json_is_refused_with_415_and_invalid_json_with_400_in_pagerdutys_shape(client, engine):
    wrong_type = post(client, CHANGE_EVENTS, b"{}", content_type="text/plain")
    assert wrong_type.status_code == 415 and wrong_type.get_json()["status"] == "invalid event"
    broken = post(client, CHANGE_EVENTS, b'{"routing_key": ')
    assert broken.status_code == 400 and broken.get_json()["status"] == "invalid event"
    assert_no_change_stored(engine)


def test_a_body_over_the_limit_is_refused_with_413(client, engine, app):
    body = change_event() | {"padding": "x" * app.config["MAX_CONTENT_LENGTH"]}
    assert post_json(client, CHANGE_EVENTS, body).status_code == 413
    assert_no_change_stored(engine)


def test_an_unreachable_database_answers_503_so_that_senders_retry(settings, catalog):
    app = applying_app(settings, catalog=catalog, engine=create_engine(UNREACHABLE_DB))
    response = post_json(app.test_client(), CHANGE_EVENTS, change_event())
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"


def test_replay_leaves_change_requests_alone(client, engine, catalog):
    post_json(client, CHANGE_EVENTS, change_event())
    assert replay(engine, catalog) == {"replayed": 0, "skipped": 0}
    assert len(stored(engine)[0]) == 1
