"""Delivering pages in batches, end to end against the fake PagerDuty: a batch's pages each sent
once however often or concurrently it is delivered, a 400 or a 429 in the middle of a batch, a
delivery that drains every ready page oldest due first, and PagerDuty's back-off shared by every
delivery (workers/paging.py, incidents/pagerduty_gate.py).
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import SRE_KEY
from tests.e2e.outbox import LONG, TIMEOUT, deliver_now, page_rows, post_alert, triggers_by_key

pytestmark = pytest.mark.e2e


def test_a_page_refused_with_400_in_the_middle_of_a_batch_does_not_hold_back_the_others(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    for alertname in ("DiskFull", "CpuHot", "MemoryLow"):
        post_alert(stack, alertname)
    first, middle, last = page_rows(engine)
    stack.pagerduty.answer_next(202, 400)  # then the fake accepts the third as PagerDuty would

    delivered = deliver_now(engine, stack, [first.id, middle.id, last.id])  # in order: map, not a pool

    assert delivered.outcomes == {"sent": 2, "failed": 1} and delivered.wait is None
    assert [(row.status, row.attempts) for row in page_rows(engine)] == [("sent", 1), ("failed", 1), ("sent", 1)]
    assert "400" in page_rows(engine)[1].last_error


def test_a_refusal_holds_every_page_until_the_back_off_ends_then_the_queue_goes_out_in_due_order(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    for alertname in ("DiskFull", "CpuHot", "MemoryLow"):
        post_alert(stack, alertname)
    first, second, third = page_rows(engine)
    stack.pagerduty.answer_next(429)
    wait_60 = {"backoff": lambda failures: 60.0}

    # The task named the third page; the delivery takes the oldest due first, which PagerDuty refuses.
    delivered = deliver_now(engine, stack, [third.id], batch=1, **wait_60)

    assert delivered.outcomes == {"retrying": 1, "waiting": 1} and 59 < delivered.wait <= 60
    rows = page_rows(engine)
    assert [(row.status, row.attempts) for row in rows] == [("pending", 1), ("pending", 0), ("pending", 0)]
    assert all("429" in row.last_error for row in rows)  # each page says it waits, once
    # Every other delivery leaves its pages to the back-off: nothing reaches PagerDuty meanwhile.
    assert deliver_now(engine, stack, [second.id], **wait_60).outcomes == {"waiting": 1}
    assert [status for status, _ in stack.pagerduty.requests] == [429]

    later = datetime.now(UTC) + timedelta(seconds=61)
    delivered = deliver_now(engine, stack, [], clock=lambda: later, **wait_60)

    assert (delivered.outcomes, delivered.more) == ({"sent": 3}, True)  # the catch-up ended: look again
    assert [event["dedup_key"] for _, event in stack.pagerduty.requests] == [
        first.dedup_key,
        first.dedup_key,
        second.dedup_key,
        third.dedup_key,
    ]
    assert [(row.status, row.attempts) for row in page_rows(engine)] == [("sent", 2), ("sent", 1), ("sent", 1)]
    assert triggers_by_key(stack) == {SRE_KEY: 3}


def test_a_catch_up_stops_at_the_first_refusal_and_leaves_the_pages_behind_it_untouched(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    for alertname in ("DiskFull", "CpuHot", "MemoryLow"):
        post_alert(stack, alertname)
    stack.pagerduty.answer_next(500)
    assert deliver_now(engine, stack, [], batch=1).outcomes == {"retrying": 1}  # the back-off: 0 s here
    stack.pagerduty.answer_next(202, 503)

    delivered = deliver_now(engine, stack, [])  # one page after the other: the third is never asked

    assert delivered.outcomes == {"sent": 1, "retrying": 1} and delivered.wait is not None
    assert [(row.status, row.attempts) for row in page_rows(engine)] == [("sent", 2), ("pending", 1), ("pending", 0)]
    assert [status for status, _ in stack.pagerduty.requests] == [500, 202, 503]
    assert deliver_now(engine, stack, []).outcomes == {"sent": 2}
    taken = [event["dedup_key"] for status, event in stack.pagerduty.requests if status == 202]
    assert taken == [row.dedup_key for row in page_rows(engine)]  # each once, in due order


def test_a_first_delivery_drains_every_ready_page_batch_after_batch(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    for alertname in ("DiskFull", "CpuHot", "MemoryLow", "NetDown", "FanStuck"):
        post_alert(stack, alertname)
    first, *_ = page_rows(engine)

    delivered = deliver_now(engine, stack, [first.id], batch=2)

    assert (delivered.outcomes, delivered.more) == ({"sent": 5}, False)
    assert {row.status for row in page_rows(engine)} == {"sent"}
    assert triggers_by_key(stack) == {SRE_KEY: 5}


def test_a_drain_stopped_at_its_bound_says_pages_may_be_left_and_the_next_one_sends_them(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    for alertname in ("DiskFull", "CpuHot", "MemoryLow", "NetDown", "FanStuck"):
        post_alert(stack, alertname)

    delivered = deliver_now(engine, stack, [], batch=2, batches=2)

    assert (delivered.outcomes, delivered.more) == ({"sent": 4}, True)
    assert [row.status for row in page_rows(engine)] == ["sent"] * 4 + ["pending"]
    assert deliver_now(engine, stack, [], batch=2, batches=2).outcomes == {"sent": 1}
    assert triggers_by_key(stack) == {SRE_KEY: 5}


def test_a_drain_stops_at_a_batch_pagerduty_refused_a_page_of_and_the_pages_left_wait_for_the_back_off(
    start_stack, engine
):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    for alertname in ("DiskFull", "CpuHot", "MemoryLow", "NetDown", "FanStuck"):
        post_alert(stack, alertname)
    stack.pagerduty.answer_next(202, 202, 429)  # the second batch's first page is rate-limited

    delivered = deliver_now(engine, stack, [], batch=2, backoff=lambda failures: 30.0)  # in order: map, not a pool

    assert (delivered.outcomes, delivered.more) == ({"sent": 3, "retrying": 1}, False)
    assert 29 < delivered.wait <= 30
    rows = page_rows(engine)
    assert [(row.status, row.attempts, row.last_error is None) for row in rows] == [
        ("sent", 1, True),
        ("sent", 1, True),
        ("pending", 1, False),
        ("sent", 1, True),  # in flight in the same batch as the refused one
        ("pending", 0, False),  # not tried: it says it waits for PagerDuty
    ]


def test_a_delivery_named_after_pages_already_sent_by_another_sends_nothing(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    for alertname in ("DiskFull", "CpuHot"):
        post_alert(stack, alertname)
    first, second = page_rows(engine)
    assert deliver_now(engine, stack, [first.id]).outcomes == {"sent": 2}

    assert deliver_now(engine, stack, [second.id]).outcomes == {"skipped": 1}
    assert triggers_by_key(stack) == {SRE_KEY: 2}


def test_concurrent_deliveries_of_one_page_send_it_once(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    post_alert(stack)
    [row] = page_rows(engine)
    start = threading.Barrier(8)
    results = []

    def deliver():
        start.wait(timeout=TIMEOUT)
        results.append(deliver_now(engine, stack, [row.id]).outcomes)

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert sorted(map(str, results)) == ["{'sent': 1}"] + ["{'skipped': 1}"] * 7
    assert triggers_by_key(stack) == {SRE_KEY: 1}
    assert page_rows(engine)[0].status == "sent"
