"""What became of each page, where people look: the incident's timeline, its `pages` in the API, and
the web `/metrics`. Delivery runs in the test (workers/paging.deliver) against the fake PagerDuty, so
each outcome is reached on purpose: delivered, refused, retried, unreachable, cancelled.
"""

import re

import pytest
import requests

from tests.e2e.conftest import READ
from tests.e2e.outbox import LONG, deliver_now, page_rows, post_alert
from tests.support import free_port
from workers.pagerduty import PagerDutyClient

pytestmark = pytest.mark.e2e


def incident(stack, number=1) -> dict:
    return requests.get(f"{stack.web}/api/incidents/INC-{number}", headers=READ, timeout=10).json()


def said(stack, kind: str, number=1) -> list[str]:
    return [entry["message"] for entry in incident(stack, number)["timeline"] if entry["kind"] == kind]


def test_a_delivered_page_is_on_the_timeline_and_in_the_pages_list_with_its_ack_link(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    post_alert(stack)
    [page] = incident(stack)["pages"]
    assert (page["target"], page["state"], page["attempts"], page["outcome"]) == (
        "user oncall-sre",
        "pending",
        0,
        "queued",
    )

    assert deliver_now(engine, stack, [page_rows(engine)[0].id]).outcomes == {"sent": 1}

    assert said(stack, "page_sent") == ["Page delivered to user oncall-sre"]
    [page] = incident(stack)["pages"]
    assert (page["state"], page["attempts"], page["last_error"]) == ("sent", 1, None)
    assert page["outcome"] == "delivered to user oncall-sre" and page["reason"] == "first level"
    assert page["created_at"] <= page["sent_at"]
    assert page["ack_url"].startswith(f"{stack.web}/ack/")
    assert "Acknowledge" in requests.get(page["ack_url"], timeout=10).text


def test_a_page_refused_with_400_says_why_in_words_on_the_timeline_and_in_the_list(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    post_alert(stack)
    stack.pagerduty.answer_next(400, errors=("Invalid routing key",))

    assert deliver_now(engine, stack, [page_rows(engine)[0].id]).outcomes == {"failed": 1}

    assert said(stack, "page_failed") == ["Page to user oncall-sre failed: PagerDuty answered 400: Invalid routing key"]
    [page] = incident(stack)["pages"]
    assert (page["state"], page["last_error"]) == ("failed", "PagerDuty answered 400: Invalid routing key")
    assert page["outcome"] == "failed: PagerDuty answered 400: Invalid routing key"


def test_a_retried_page_shows_at_its_first_failure_once_then_its_outcome(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    post_alert(stack)
    page_id = page_rows(engine)[0].id
    stack.pagerduty.answer_next(503, 503, 429)

    for _ in range(3):  # three refusals, each retried (PagerDuty's back-off lasts 0 s here)
        assert deliver_now(engine, stack, [page_id]).outcomes == {"retrying": 1}
    retrying = said(stack, "page_retrying")
    assert retrying == ["Page to user oncall-sre not delivered yet (PagerDuty answered 503); retrying"]
    assert incident(stack)["pages"][0]["outcome"].startswith(
        "not delivered yet after 3 attempts (PagerDuty answered 429"
    )
    assert deliver_now(engine, stack, [page_id]).outcomes == {"sent": 1}
    [delivered] = said(stack, "page_sent")
    assert re.fullmatch(
        r"Page delivered to user oncall-sre, \d+ s after it fell due \(PagerDuty was unavailable\)", delivered
    )
    assert incident(stack)["pages"][0]["attempts"] == 4


def test_an_unreachable_pagerduty_is_given_up_on_with_a_readable_reason(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    post_alert(stack)
    nowhere = PagerDutyClient(f"http://127.0.0.1:{free_port()}")  # nothing listens there

    outcome = deliver_now(engine, stack, [page_rows(engine)[0].id], client=nowhere, retries=0)

    assert outcome.outcomes == {"failed": 1}
    assert said(stack, "page_failed") == [
        "Page to user oncall-sre failed: PagerDuty unreachable after 1 attempt: connection refused"
    ]


def test_a_page_cancelled_by_an_acknowledgement_says_who_acknowledged_it_first(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    post_alert(stack)
    answer = requests.post(f"{stack.web}/api/incidents/INC-1/acknowledge", headers=READ, timeout=10)
    assert answer.status_code == 200, answer.text

    assert said(stack, "page_cancelled") == [
        "Page to user oncall-sre cancelled: acknowledged by e2e-operator (API) before it was sent"
    ]
    [page] = incident(stack)["pages"]
    assert (page["state"], page["ack_url"]) == ("cancelled", None)
    assert page["outcome"] == "cancelled: acknowledged by e2e-operator (API) before it was sent"
    assert deliver_now(engine, stack, [page["id"]]).outcomes == {"skipped": 1}
    assert stack.pagerduty.requests == []


def test_a_page_cancelled_by_resolving_says_so(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    post_alert(stack)
    answer = requests.post(f"{stack.web}/api/incidents/INC-1/resolve", headers=READ, timeout=10)
    assert answer.status_code == 200, answer.text

    assert said(stack, "page_cancelled") == [
        "Page to user oncall-sre cancelled: resolved by e2e-operator (API) before it was sent"
    ]


def test_the_web_metrics_count_page_outcomes_of_every_worker_from_the_database(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    for alertname in ("DiskFull", "CpuHot", "MemoryLow", "NetDown"):
        post_alert(stack, alertname)
    sent, refused, retried, cancelled = (row.id for row in page_rows(engine))
    # Acknowledged first: a delivery sends every page waiting, not only those it names.
    requests.post(f"{stack.web}/api/incidents/INC-4/acknowledge", headers=READ, timeout=10).raise_for_status()
    stack.pagerduty.answer_next(202, 400, 503)
    deliver_now(engine, stack, [sent, refused, retried])  # in order: map, not a pool
    deliver_now(engine, stack, [retried])

    text = requests.get(f"{stack.web}/metrics", timeout=10).text

    def value(name, **labels):
        selector = ",".join(f'{key}="{val}"' for key, val in labels.items())
        return float(re.search(rf"^{name}\{{{selector}\}} (\S+)$", text, re.M).group(1))

    deliveries = "incidents_page_deliveries_total"
    assert value(deliveries, action="trigger", outcome="sent") == 2
    assert value(deliveries, action="trigger", outcome="failed") == 1
    assert value(deliveries, action="trigger", outcome="retried") == 1
    assert value(deliveries, action="trigger", outcome="cancelled") == 1
    assert value(deliveries, action="resolve", outcome="sent") == 0
    assert value("incidents_pages_pending", action="trigger") == 0
