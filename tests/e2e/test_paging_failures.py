"""Paging when things go wrong, end to end: a worker killed with SIGKILL, a flushed broker,
PagerDuty answering 429/5xx/400, and the same page task delivered more than once.

The fake PagerDuty counts what arrives; the `pages` outbox says what the service thinks happened.
Processes are real (gunicorn, Celery worker and beat); "flushing Redis" deletes every key of the
stack's broker prefix, which is all the broker state the stack has, without touching other runs.
"""
import re
import signal
import threading
import time
from collections import Counter
from datetime import datetime, timezone

import pytest
import redis
import requests
import sqlalchemy as sa

from store.tables import pages
from tests.e2e.conftest import MANAGER_KEY, READ, SRE_KEY, WEBHOOK_TOKEN
from tests.support import eventually, free_port
from workers.pagerduty import PagerDutyClient

pytestmark = pytest.mark.e2e

TIMEOUT = 45  # seconds for anything asynchronous: generous, the machine is shared and loaded
LONG = (600, 600)  # level timeouts that never fall due during a test


def post_alert(stack, alertname="DiskFull"):
    body = {"version": "4", "groupKey": f'{{}}:{{alertname="{alertname}"}}', "status": "firing",
            "receiver": "incidents", "alerts": [{
                "status": "firing", "labels": {"alertname": alertname, "severity": "warning"},
                "annotations": {"summary": f"{alertname} on db-1"}, "startsAt": "2026-11-26T03:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "aaaaaaaaaaaaaaaa"}]}
    answer = requests.post(f"{stack.web}/webhooks/alertmanager", json=body,
                           headers={"Authorization": f"Bearer {WEBHOOK_TOKEN}"}, timeout=10)
    assert answer.status_code == 200, answer.text


def page_rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(pages).order_by(pages.c.id)).all()


def triggers_by_key(stack) -> Counter:
    return Counter(event["routing_key"] for event in stack.pagerduty.triggers())


def flush_broker(stack) -> list[str]:
    """Delete every Redis key of the stack's broker (its queues, unacked and ETA tasks); returns them."""
    client = redis.Redis.from_url(stack.settings.broker_url)
    try:
        keys = list(client.scan_iter(match=f"{stack.settings.broker_prefix}*"))
        if keys:
            client.delete(*keys)
        return sorted(key.decode() for key in keys)
    finally:
        client.close()


def escalation_due(engine) -> bool:
    """True once the database clock has passed the (only) incident's next wake-up."""
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT bool_and(next_wake_at <= now()) FROM incidents")).scalar()


def worker_ready(process) -> bool:
    return re.search(r"celery@\S+ ready", process.log()) is not None


def page_task_results(process) -> list[str]:
    """What each finished tasks.page_targets returned ({outcome: pages}), from the worker's log."""
    return re.findall(r"Task tasks\.page_targets\[[^\]]+\] succeeded in [^:]+: (\{.*\})", process.log())


def page_task_ids(process) -> set[str]:
    """The ids of the tasks.page_targets the worker received (a Celery retry keeps its task's id)."""
    return set(re.findall(r"Task tasks\.page_targets\[([^\]]+)\] received", process.log()))


def settle(seconds: float = 2.0) -> None:
    """Let a few beat ticks (0.5 s apart) and retries pass, so a duplicate would have time to arrive."""
    time.sleep(seconds)


def test_pages_decided_while_no_worker_runs_are_sent_once_after_the_broker_is_flushed(start_stack, engine):
    stack = start_stack(worker=False, level_timeouts=(2, 600))
    post_alert(stack)
    [first] = page_rows(engine)
    assert (first.status, first.routing_key) == ("pending", SRE_KEY)
    eventually(lambda: escalation_due(engine), timeout=TIMEOUT)  # the second level falls due, nobody acts

    assert any(key.endswith("paging") for key in flush_broker(stack)), "the page task was not in the broker"
    assert stack.pagerduty.requests == []
    assert stack.processes["beat"].popen.poll() is None, stack.log()
    stack.start_worker("worker2")

    eventually(lambda: triggers_by_key(stack).keys() == {SRE_KEY, MANAGER_KEY}, timeout=TIMEOUT)
    eventually(lambda: {row.status for row in page_rows(engine)} == {"sent"}, timeout=TIMEOUT)
    settle()
    assert triggers_by_key(stack) == {SRE_KEY: 1, MANAGER_KEY: 1}
    rows = page_rows(engine)
    assert [(row.routing_key, row.status, row.attempts) for row in rows] == [
        (SRE_KEY, "sent", 1), (MANAGER_KEY, "sent", 1)]


def test_an_escalation_due_while_the_worker_is_killed_pages_the_second_level_once_after_restart(
        start_stack, engine):
    stack = start_stack(level_timeouts=(8, 600))
    eventually(lambda: worker_ready(stack.processes["worker"]), timeout=TIMEOUT)
    post_alert(stack)
    eventually(lambda: triggers_by_key(stack) == {SRE_KEY: 1}, timeout=TIMEOUT)

    # The worker now holds the escalation's wake-up task (an ETA task, unacknowledged in Redis).
    stack.processes["worker"].stop(signal.SIGKILL)
    with engine.connect() as conn:
        level = conn.execute(sa.text("SELECT esc_level FROM incidents")).scalar_one()
    assert level == 0, "the first level timed out before the worker was killed: the machine is too slow"
    flush_broker(stack)
    eventually(lambda: escalation_due(engine), timeout=TIMEOUT)
    assert triggers_by_key(stack) == {SRE_KEY: 1}
    stack.start_worker("worker2")

    eventually(lambda: MANAGER_KEY in triggers_by_key(stack), timeout=TIMEOUT)
    eventually(lambda: {row.status for row in page_rows(engine)} == {"sent"}, timeout=TIMEOUT)
    settle()
    assert triggers_by_key(stack) == {SRE_KEY: 1, MANAGER_KEY: 1}
    assert [(row.routing_key, row.status) for row in page_rows(engine)] == [
        (SRE_KEY, "sent"), (MANAGER_KEY, "sent")]


def test_a_page_answered_429_then_500_is_retried_and_arrives_once_on_the_third_attempt(start_stack, engine):
    stack = start_stack(level_timeouts=LONG)
    stack.pagerduty.answer_next(429, 500)
    post_alert(stack)

    eventually(lambda: [row.status for row in page_rows(engine)] == ["sent"], timeout=TIMEOUT)
    settle()
    assert [status for status, _ in stack.pagerduty.requests] == [429, 500, 202]
    assert triggers_by_key(stack) == {SRE_KEY: 1}
    [row] = page_rows(engine)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)


def test_a_rate_limited_page_is_retried_by_its_own_task_and_not_also_by_the_sweeper(start_stack, engine):
    stack = start_stack(level_timeouts=LONG)
    stack.pagerduty.answer_next(*[429] * 100)  # PagerDuty rate-limits this page for the whole test
    post_alert(stack)
    eventually(lambda: stack.pagerduty.requests, timeout=TIMEOUT)

    # The task retries itself after its backoff; the sweeper must leave the page to it (a retrying
    # row's next attempt is pushed 30 s past the retry). Watch for longer than the sweeper's 10 s grace.
    deadline = time.monotonic() + 14
    while time.monotonic() < deadline and len(page_task_ids(stack.processes["worker"])) <= 1:
        time.sleep(0.5)
    assert len(page_task_ids(stack.processes["worker"])) == 1, "the sweeper started a second delivery"
    [row] = page_rows(engine)
    assert row.attempts >= 1 and "429" in (row.last_error or ""), row


def test_a_page_refused_with_400_is_recorded_as_failed_on_the_timeline_and_not_retried(start_stack, engine):
    stack = start_stack(level_timeouts=LONG)
    stack.pagerduty.answer_next(400)
    post_alert(stack)

    eventually(lambda: [row.status for row in page_rows(engine)] == ["failed"], timeout=TIMEOUT)
    [row] = page_rows(engine)
    assert "400" in row.last_error and row.attempts == 1
    timeline = requests.get(f"{stack.web}/api/incidents/INC-1", headers=READ, timeout=10).json()["timeline"]
    failed = [entry for entry in timeline if entry["kind"] == "page_failed"]
    assert len(failed) == 1 and "400" in failed[0]["message"], timeline
    assert failed[0]["data"]["page_id"] == row.id
    settle(4)  # longer than the first retry's countdown (at most 1.5 s) and several ticks
    assert [status for status, _ in stack.pagerduty.requests] == [400]
    assert stack.pagerduty.events == []
    assert page_rows(engine)[0].status == "failed"


def test_the_same_page_task_delivered_three_times_pages_once(start_stack, engine):
    from workers.app import create_celery

    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    post_alert(stack)  # the web process enqueues tasks.page_targets once
    [row] = page_rows(engine)
    with create_celery(stack.settings) as app:  # the stack's broker prefix
        for _ in range(2):
            app.send_task("tasks.page_targets", ([row.id],), queue="paging")
    worker = stack.start_worker("worker")

    eventually(lambda: len(page_task_results(worker)) == 3, timeout=TIMEOUT)
    assert sorted(page_task_results(worker)) == ["{'sent': 1}", "{'skipped': 1}", "{'skipped': 1}"]
    assert triggers_by_key(stack) == {SRE_KEY: 1}
    assert len(stack.pagerduty.requests) == 1
    assert page_rows(engine)[0].status == "sent"


def test_a_batch_delivered_twice_sends_each_of_its_pages_once(start_stack, engine):
    from workers.app import create_celery

    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    for alertname in ("DiskFull", "CpuHot", "MemoryLow"):
        post_alert(stack, alertname)  # three incidents, one page task each
    ids = [row.id for row in page_rows(engine)]
    with create_celery(stack.settings) as app:
        for _ in range(2):
            app.send_task("tasks.page_targets", (ids,), queue="paging")
    stack.start_worker("worker")

    eventually(lambda: {row.status for row in page_rows(engine)} == {"sent"}, timeout=TIMEOUT)
    settle()
    assert triggers_by_key(stack) == {SRE_KEY: 3}
    assert len(stack.pagerduty.requests) == 3
    assert Counter(event["dedup_key"] for event in stack.pagerduty.triggers()) == {
        row.dedup_key: 1 for row in page_rows(engine)}


def deliver_now(engine, stack, page_ids, **options):
    """paging.deliver with the real client against the stack's fake PagerDuty; its Delivered."""
    from workers import paging
    from workers.tasks import backoff

    return paging.deliver(engine, PagerDutyClient(stack.pagerduty.url), stack.settings, page_ids,
                          clock=lambda: datetime.now(timezone.utc), backoff=backoff, **options)


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
        start_stack, engine):
    stack = start_stack(worker=False, beat=False, level_timeouts=LONG)
    for alertname in ("DiskFull", "CpuHot", "MemoryLow", "NetDown", "FanStuck"):
        post_alert(stack, alertname)
    stack.pagerduty.answer_next(202, 202, 429)  # the second batch's first page is rate-limited

    delivered = deliver_now(engine, stack, [], drain=True, batch=2)  # in order: map, not a pool

    rows = page_rows(engine)
    assert (delivered.outcomes, delivered.retry, delivered.more) == ({"sent": 3, "retrying": 1}, (rows[2].id,), False)
    assert [(row.status, row.attempts) for row in rows] == [
        ("sent", 1), ("sent", 1), ("pending", 1), ("sent", 1), ("pending", 0)]


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


def test_the_worker_metrics_count_a_sent_trigger(start_stack, monkeypatch):
    stack = start_stack(worker=False, level_timeouts=LONG)
    port = free_port()
    monkeypatch.setenv("INCIDENTS_WORKER_METRICS_PORT", str(port))  # read by the worker's process_env
    stack.start_worker()
    post_alert(stack)
    eventually(lambda: triggers_by_key(stack) == {SRE_KEY: 1}, timeout=TIMEOUT)

    def sent_count():
        try:
            text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
        except requests.RequestException:
            return None
        match = re.search(r'^incidents_pages_total\{action="trigger",outcome="sent"\} (\S+)$', text, re.M)
        return match and float(match.group(1))

    assert eventually(sent_count, timeout=TIMEOUT) == 1.0

