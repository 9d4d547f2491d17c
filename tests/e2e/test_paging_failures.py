"""Paging when things go wrong, end to end: a worker killed with SIGKILL, a flushed broker,
PagerDuty answering 429/5xx/400, and the same page task delivered more than once.

The fake PagerDuty counts what arrives; the `pages` outbox says what the service thinks happened.
Processes are real (gunicorn, Celery worker and beat); "flushing Redis" deletes every key of the
stack's broker prefix, which is all the broker state the stack has, without touching other runs.
"""

import re
import signal
import time
from collections import Counter

import pytest
import redis
import requests
import sqlalchemy as sa

from tests.e2e.conftest import MANAGER_KEY, READ, SRE_KEY, SWEEP_GRACE
from tests.e2e.outbox import LONG, TIMEOUT, page_rows, post_alert, settle, triggers_by_key
from tests.support import eventually, free_port

pytestmark = pytest.mark.e2e


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
        (SRE_KEY, "sent", 1),
        (MANAGER_KEY, "sent", 1),
    ]


def test_an_escalation_due_while_the_worker_is_killed_pages_the_second_level_once_after_restart(start_stack, engine):
    stack = start_stack(level_timeouts=(8, 600))
    eventually(lambda: worker_ready(stack.processes["worker"]), timeout=TIMEOUT)
    post_alert(stack)
    eventually(lambda: triggers_by_key(stack) == {SRE_KEY: 1}, timeout=TIMEOUT)
    # Sent and recorded: killed between PagerDuty's 202 and that write, the sweep would send it again (at
    # least once, the same dedup_key: PagerDuty folds it), which is not what this test is about.
    eventually(lambda: [row.status for row in page_rows(engine)] == ["sent"], timeout=TIMEOUT)

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
    assert [(row.routing_key, row.status) for row in page_rows(engine)] == [(SRE_KEY, "sent"), (MANAGER_KEY, "sent")]


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

    # The task retries itself when PagerDuty's back-off ends; the sweeper must leave the page to it (it
    # sweeps nothing until a grace after the back-off). Watch for longer than the sweeper's grace.
    deadline = time.monotonic() + SWEEP_GRACE + 4
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
        row.dedup_key: 1 for row in page_rows(engine)
    }


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
