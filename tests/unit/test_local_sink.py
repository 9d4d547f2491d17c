"""The built-in PagerDuty sink as the workers take it, in their own process (workers.pagerduty.LocalSink):
answered as PagerDuty answers, each page logged with who it was for and its acknowledgement link."""

import logging

from workers.pagerduty import LocalSink

TRIGGER = {
    "routing_key": "any",
    "event_action": "trigger",
    "dedup_key": "incident-1-user-oncall-sre",
    "payload": {"summary": "[INC-1] Disk full", "custom_details": {"paged": "user oncall-sre"}},
    "links": [{"href": "http://127.0.0.1:8000/ack/abc", "text": "Acknowledge INC-1"}],
}


def test_a_page_is_answered_as_pagerduty_does_and_logged_with_its_link(caplog):
    with caplog.at_level(logging.INFO, logger="workers.pagerduty"):
        answer = LocalSink().send(TRIGGER)
    assert answer == {"status": "success", "message": "Event processed", "dedup_key": "incident-1-user-oncall-sre"}
    assert caplog.messages == ["page for oncall-sre: [INC-1] Disk full ack: http://127.0.0.1:8000/ack/abc"]


def test_an_acknowledge_and_a_malformed_event_are_logged_without_error(caplog):
    with caplog.at_level(logging.INFO, logger="workers.pagerduty"):
        LocalSink().send({"event_action": "acknowledge", "dedup_key": "incident-1-user-oncall-sre"})
        LocalSink().send({"event_action": "trigger", "payload": "not an object", "links": "nope"})
    assert caplog.messages == [
        "local PagerDuty: acknowledge for incident-1-user-oncall-sre",
        "page for someone: None ack: ",
    ]
