"""Two web, three worker and two beat processes on one PostgreSQL and one Redis: no page missing, none
twice, while the escalation benchmark's load (scaled down) runs through them.

Incidents open through both webs from several threads; each pages its first level at once and its
second level a few seconds later, so the workers' wake-ups and both beats' ticks race for the same
escalations and the same outbox rows. Every trigger due must reach the fake PagerDuty exactly once.
Lateness (sent_at - due_at) is printed, never asserted: two shared cores under other test runs time
nothing honestly.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.faults.counting import page_discrepancies, percentile, steady, triggers
from tests.faults.sending import post_group, trigger_pages
from tests.support import eventually

pytestmark = pytest.mark.faults
INCIDENTS, FIRST_LEVEL, SENDERS = 200, 4, 4  # incidents, first level's timeout (s), sending threads
WEBS, WORKERS, BEATS = 2, 3, 2


def test_two_webs_three_workers_two_beats_page_every_due_page_once(fault_stack):
    stack = fault_stack(level_timeouts=(FIRST_LEVEL, 600), env_={"INCIDENTS_TICK_SECONDS": "1"})
    for n in range(WEBS):
        stack.start_web(f"web{n}", workers=1)
    for n in range(WORKERS):
        stack.start_worker(f"worker{n}", concurrency=4)
    for n in range(BEATS):
        stack.start_beat(f"beat{n}")
    for n in range(WORKERS):
        eventually(lambda n=n: " ready." in stack.processes[f"worker{n}"].log(), timeout=60)

    started = time.monotonic()
    answers = open_incidents(stack.webs)
    print(f"\n{INCIDENTS} incidents posted to {WEBS} webs in {time.monotonic() - started:.1f} s")
    assert answers == [200] * INCIDENTS

    eventually(lambda: len(stack.pagerduty.triggers()) >= 2 * INCIDENTS, timeout=45, interval=0.5)
    received = steady(lambda: triggers(stack.pagerduty), quiet=3)
    pages = trigger_pages(stack.engine)
    print(lateness(pages))
    assert len(pages) == 2 * INCIDENTS
    assert page_discrepancies([(p.routing_key, p.dedup_key) for p in pages], received) == []
    assert {page.status for page in pages} == {"sent"}
    assert all(stack.processes[name].popen.poll() is None for name in stack.processes), stack.log()


def open_incidents(webs: list[str]) -> list[int]:
    """INCIDENTS new groups, round robin over the webs, from SENDERS threads; their answers in order."""

    def send(start: int) -> list[tuple[int, int]]:
        session = requests.Session()
        return [(n, post_group(webs[n % len(webs)], f"Scaled{n}", session)) for n in range(start, INCIDENTS, SENDERS)]

    with ThreadPoolExecutor(SENDERS) as pool:
        answered = sorted(pair for part in pool.map(send, range(SENDERS)) for pair in part)
    return [status for _, status in answered]


def lateness(pages) -> str:
    """sent_at - due_at per level, in seconds: p50, p99 and max."""
    lines = []
    for step, name in (("0.0", "level 1"), ("0.1", "level 2")):
        late = [(p.sent_at - p.due_at).total_seconds() for p in pages if p.step == step and p.sent_at]
        lines.append(
            f"{name}: {len(late)} pages, lateness p50 {percentile(late, 0.5):.3f} s, "
            f"p99 {percentile(late, 0.99):.3f} s, max {max(late, default=float('nan')):.3f} s"
        )
    return "\n".join(lines)
