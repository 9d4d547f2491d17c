"""The built-in local PagerDuty sink (embedded set-up): it takes events as PagerDuty does and logs each page,
served by the web to whatever posts to it, and taken by the workers in their own process (LocalSink)."""

import dataclasses
import logging

import pytest

from tests.support import applying_app
from workers.pagerduty import LocalSink

TRIGGER = {
    "routing_key": "k",
    "event_action": "trigger",
    "dedup_key": "d",
    "payload": {"summary": "[INC-1] Disk full", "custom_details": {"paged": "user alice"}},
    "links": [{"href": "http://x/ack/t", "text": "Acknowledge INC-1"}],
}


@pytest.fixture
def local_client(settings, catalog, engine):
    local = dataclasses.replace(settings, pagerduty_events_url=f"{settings.public_url}/local-pagerduty")
    return applying_app(local, catalog=catalog, engine=engine).test_client()


def test_a_page_is_taken_and_logged_with_its_acknowledgement_link(local_client, caplog):
    response = local_client.post("/local-pagerduty/v2/enqueue", json=TRIGGER)
    assert response.status_code == 202 and response.get_json()["dedup_key"] == "d"
    assert "page for alice: [INC-1] Disk full ack: http://x/ack/t" in caplog.text


def test_the_workers_sink_answers_and_logs_as_the_webs_does(local_client, caplog):
    with caplog.at_level(logging.INFO):
        web = local_client.post("/local-pagerduty/v2/enqueue", json=TRIGGER).get_json()
        web_log = caplog.messages[-1]
        worker = LocalSink().send(TRIGGER)
    assert worker == {key: web[key] for key in ("status", "message", "dedup_key")}
    assert caplog.messages[-1] == web_log == "page for alice: [INC-1] Disk full ack: http://x/ack/t"
    LocalSink().send({"event_action": "acknowledge", "dedup_key": "d"})
    assert caplog.messages[-1] == "local PagerDuty: acknowledge for d"


@pytest.mark.parametrize(
    "shapes",
    [{"payload": []}, {"payload": {"custom_details": "text"}}, {"links": "text"}, {"links": [1, None]}],
)
def test_odd_shapes_are_taken_and_logged_not_a_500(local_client, shapes):
    # A payload, custom_details or link that is not an object raised AttributeError (500).
    response = local_client.post("/local-pagerduty/v2/enqueue", json={"event_action": "trigger"} | shapes)
    assert response.status_code == 202
