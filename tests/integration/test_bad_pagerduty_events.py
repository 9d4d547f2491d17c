"""PagerDuty events with a wrong field or routing key: 400 in PagerDuty's shape, nothing stored."""

import pytest

from tests.integration.spoiling import (
    PAGERDUTY,
    ROUTING_KEY,
    assert_nothing_stored,
    drop,
    event,
    names,
    post_json,
    put,
    trigger,
)

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
    pytest.param(
        trigger,
        put("payload", "custom_details", {"a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}),
        "payload.custom_details",
        id="payload.custom_details nested too deeply",
    ),
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
    pytest.param(lambda: event("acknowledge"), drop("dedup_key"), "dedup_key", id="dedup_key missing for acknowledge"),
    pytest.param(lambda: event("resolve"), put("dedup_key", ""), "dedup_key", id="dedup_key empty for resolve"),
    pytest.param(trigger, put("payload", "summary", "Disk\x00full"), "payload.summary", id="NUL in summary"),
    pytest.param(trigger, put("dedup_key", "\x00"), "dedup_key", id="NUL in dedup_key"),
    pytest.param(
        trigger,
        put("payload", "custom_details", {"log": ["ok", "\x00"]}),
        "payload.custom_details",
        id="NUL inside custom_details",
    ),
    pytest.param(
        trigger,
        put("payload", "custom_details", {"\x00": 1}),
        "payload.custom_details",
        id="NUL in a custom_details key",
    ),
    pytest.param(trigger, put("payload", "source", "db-\ud800"), "payload.source", id="lone surrogate in source"),
    pytest.param(
        trigger, put("routing_key", ROUTING_KEY + "\udfff"), "routing_key", id="lone surrogate in routing_key"
    ),
    pytest.param(
        trigger,
        put("payload", "custom_details", {"k": {"\udc80": "v"}}),
        "payload.custom_details",
        id="lone surrogate in a custom_details key",
    ),
    pytest.param(trigger, put("payload", "component", "\ud83d"), "payload.component", id="half an emoji in component"),
]


@pytest.mark.parametrize("valid, spoil, field", PAGERDUTY_FIELDS)
def test_a_pagerduty_event_with_a_wrong_or_missing_field_is_refused_in_pagerdutys_shape_naming_it(
    client, engine, valid, spoil, field
):
    body = valid()
    spoil(body)
    response = post_json(client, PAGERDUTY, body)
    assert response.status_code == 400, response.get_json()
    answer = response.get_json()
    assert answer["status"] == "invalid event" and isinstance(answer["message"], str), answer
    assert names([error.partition(":")[0] for error in answer["errors"]], field), answer
    assert_nothing_stored(engine)


@pytest.mark.parametrize(
    "routing_key",
    [
        pytest.param("unknownintegrationkey0000000001", id="unknown key"),
        pytest.param(ROUTING_KEY.upper(), id="known key in capitals"),
        pytest.param(ROUTING_KEY[:-1], id="known key cut short"),
        pytest.param(" " + ROUTING_KEY, id="known key with a leading space"),
    ],
)
def test_an_unknown_routing_key_is_refused_with_400_in_pagerdutys_shape(client, engine, routing_key):
    response = post_json(client, PAGERDUTY, trigger() | {"routing_key": routing_key})
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["status"] == "invalid event" and isinstance(answer["message"], str), answer
    assert any("routing key" in error.lower() for error in answer["errors"]), answer
    assert_nothing_stored(engine)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param([], id="a list"),
        pytest.param("trigger", id="a string"),
        pytest.param(None, id="null"),
    ],
)
def test_a_pagerduty_body_that_is_not_an_object_is_refused_in_pagerdutys_shape(client, engine, body):
    response = post_json(client, PAGERDUTY, body)
    assert response.status_code == 400
    assert response.get_json()["status"] == "invalid event" and response.get_json()["errors"]
    assert_nothing_stored(engine)
