"""Helpers for the end-to-end paging tests: an alert posted to the stack, the page outbox, what
the fake PagerDuty received."""

import time
from collections import Counter
from datetime import UTC, datetime

import requests
import sqlalchemy as sa

from store.tables import pages
from tests.e2e.conftest import WEBHOOK_TOKEN, applied
from workers.pagerduty import PagerDutyClient

TIMEOUT = 45  # seconds for anything asynchronous: generous, the machine is shared and loaded
LONG = (600, 600)  # level timeouts that never fall due during a test


def post_alert(stack, alertname="DiskFull"):
    body = {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{alertname}"}}',
        "status": "firing",
        "receiver": "incidents",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": alertname, "severity": "warning"},
                "annotations": {"summary": f"{alertname} on db-1"},
                "startsAt": "2026-11-26T03:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "fingerprint": "aaaaaaaaaaaaaaaa",
            }
        ],
    }
    answer = requests.post(
        f"{stack.web}/webhooks/alertmanager",
        json=body,
        headers={"Authorization": f"Bearer {WEBHOOK_TOKEN}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    applied(stack.web, answer)


def deliver_now(engine, stack, page_ids, *, client=None, backoff=None, **options):
    """paging.deliver with the real client against the stack's fake PagerDuty; its Delivered. PagerDuty's
    back-off lasts `backoff(refusals in a row)` seconds, none unless the test says."""
    from workers import paging

    return paging.deliver(
        engine,
        client or PagerDutyClient(stack.pagerduty.url),
        stack.settings,
        page_ids,
        clock=options.pop("clock", lambda: datetime.now(UTC)),
        backoff=backoff or (lambda failures: 0.0),
        **options,
    )


def page_rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(pages).order_by(pages.c.id)).all()


def triggers_by_key(stack) -> Counter:
    return Counter(event["routing_key"] for event in stack.pagerduty.triggers())


def settle(seconds: float = 2.0) -> None:
    """Let a few beat ticks (0.5 s apart) and retries pass, so a duplicate would have time to arrive."""
    time.sleep(seconds)
