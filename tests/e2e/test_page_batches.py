"""Delivering pages in batches, end to end against the fake PagerDuty: a batch's pages each sent
once however often or concurrently it is delivered, a 400 or a 429 in the middle of a batch, and a
first delivery that drains every ready page (workers/paging.py).
"""

import threading

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

    assert delivered.outcomes == {"sent": 2, "failed": 1} and delivered.retry == ()
    assert [(row.status, row.attempts) for row in page_rows(engine)] == [("sent", 1), ("failed", 1), ("sent", 1)]
    assert "400" in page_rows(engine)[1].last_error


def test_a_batch_retries_only_its_pages_that_failed_for_a_while(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    for alertname in ("DiskFull", "CpuHot"):
        post_alert(stack, alertname)
    first, second = page_rows(engine)
    stack.pagerduty.answer_next(429)

    delivered = deliver_now(engine, stack, [first.id, second.id])

    assert delivered.outcomes == {"sent": 1, "retrying": 1} and delivered.retry == (first.id,)
    assert 0.5 <= delivered.countdown <= 1.5  # the first retry: 0.5 s plus up to 1 s of jitter
    rows = page_rows(engine)
    assert [(row.status, row.attempts) for row in rows] == [("pending", 1), ("sent", 1)]
    assert "429" in rows[0].last_error
    # Its first task, arriving late, leaves the page to the retry; the retry (no drain) sends it.
    assert deliver_now(engine, stack, [first.id], drain=True).outcomes == {"skipped": 1}
    assert deliver_now(engine, stack, [first.id]).outcomes == {"sent": 1}
    assert triggers_by_key(stack) == {SRE_KEY: 2}


def test_a_first_delivery_drains_every_ready_page_batch_after_batch(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    for alertname in ("DiskFull", "CpuHot", "MemoryLow", "NetDown", "FanStuck"):
        post_alert(stack, alertname)
    first, *_ = page_rows(engine)

    delivered = deliver_now(engine, stack, [first.id], drain=True, batch=2)

    assert (delivered.outcomes, delivered.more) == ({"sent": 5}, False)
    assert {row.status for row in page_rows(engine)} == {"sent"}
    assert triggers_by_key(stack) == {SRE_KEY: 5}


def test_a_drain_stopped_at_its_bound_says_pages_may_be_left_and_the_next_one_sends_them(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    for alertname in ("DiskFull", "CpuHot", "MemoryLow", "NetDown", "FanStuck"):
        post_alert(stack, alertname)

    delivered = deliver_now(engine, stack, [], drain=True, batch=2, batches=2)

    assert (delivered.outcomes, delivered.more) == ({"sent": 4}, True)
    assert [row.status for row in page_rows(engine)] == ["sent"] * 4 + ["pending"]
    assert deliver_now(engine, stack, [], drain=True, batch=2, batches=2).outcomes == {"sent": 1}
    assert triggers_by_key(stack) == {SRE_KEY: 5}


def test_a_drain_stops_at_a_batch_that_pagerduty_asked_to_back_off_and_retries_only_its_failed_pages(
    start_stack, engine
):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    for alertname in ("DiskFull", "CpuHot", "MemoryLow", "NetDown", "FanStuck"):
        post_alert(stack, alertname)
    stack.pagerduty.answer_next(202, 202, 429)  # the second batch's first page is rate-limited

    delivered = deliver_now(engine, stack, [], drain=True, batch=2)  # in order: map, not a pool

    rows = page_rows(engine)
    assert (delivered.outcomes, delivered.retry, delivered.more) == ({"sent": 3, "retrying": 1}, (rows[2].id,), False)
    assert [(row.status, row.attempts) for row in rows] == [
        ("sent", 1),
        ("sent", 1),
        ("pending", 1),
        ("sent", 1),
        ("pending", 0),
    ]


def test_a_delivery_named_after_pages_already_sent_by_another_sends_nothing(start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    for alertname in ("DiskFull", "CpuHot"):
        post_alert(stack, alertname)
    first, second = page_rows(engine)
    assert deliver_now(engine, stack, [first.id], drain=True).outcomes == {"sent": 2}

    assert deliver_now(engine, stack, [second.id], drain=True).outcomes == {"skipped": 1}
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
