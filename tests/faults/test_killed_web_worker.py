"""A gunicorn worker killed with SIGKILL mid-request, again and again: every request answered 200 is
applied, no incident left half-opened, none numbered twice, each paged once.

Four threads open incident after incident (a new group per request) while a web worker is killed
every second. A request killed before its inbox row committed was not answered 2xx (the sender sends
it again); one killed after is applied by the worker's consumer like any other.
"""

import os
import random
import signal
import time
from pathlib import Path

import pytest

from tests.faults.counting import page_discrepancies, steady, triggers
from tests.faults.sending import Opener, incident_rows, pending_requests, trigger_pages
from tests.support import eventually

pytestmark = pytest.mark.faults
KILLS, EVERY = 12, 1.0
CATCH_UP = 30  # for the consumer to apply what waits, on a loaded machine


def web_workers(master: int) -> list[int]:
    """The gunicorn master's worker processes."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def kill_workers(master: int, kills: int, every: float) -> int:
    killed = 0
    for _ in range(kills):
        time.sleep(every)
        workers = web_workers(master)
        if workers:
            os.kill(random.choice(workers), signal.SIGKILL)
            killed += 1
    return killed


def test_web_workers_killed_mid_request_leave_no_incident_half_opened_or_numbered_twice(fault_stack):
    stack = fault_stack(level_timeouts=(600, 600))
    web = stack.start_web(workers=2)
    stack.start_worker()
    stack.start_beat()
    with Opener(stack.web) as opener:
        killed = kill_workers(web.popen.pid, KILLS, EVERY)
    answers = dict(opener.answers)
    rows = incident_rows(stack.engine)
    behind = [row for row in rows if row.number is None or row.esc_level < 0]
    print(
        f"\n{killed} web workers killed; {len(answers)} requests, {sum(s == 200 for s in answers.values())} "
        f"answered 200, {sum(s == 0 for s in answers.values())} cut off; {len(rows)} incidents, "
        f"{len(behind)} left half-opened right after the loop"
    )

    def caught_up():
        if pending_requests(stack.engine):  # first: then every applied request's incident is in `current`
            return None
        current = incident_rows(stack.engine)
        return all(row.number is not None and row.esc_level >= 0 for row in current) and current

    rows = eventually(caught_up, timeout=CATCH_UP, interval=0.5)
    numbers = [row.number for row in rows]
    assert len(numbers) == len(set(numbers)), "an incident number was given twice"
    assert len({row.group_key for row in rows}) == len(rows), "a group opened two incidents"
    assert {g for g, status in answers.items() if status == 200} <= {row.group_key for row in rows}
    received = steady(lambda: triggers(stack.pagerduty), quiet=3)
    pages = trigger_pages(stack.engine)
    assert sorted(page.incident_id for page in pages) == [row.id for row in rows], "not one page per incident"
    assert page_discrepancies([(p.routing_key, p.dedup_key) for p in pages], received) == []
