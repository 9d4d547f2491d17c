"""Delivering one page from the outbox to PagerDuty, exactly once per row."""
import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from incidents import links, paging
from store import pages as outbox
from store.escalation import utc
from workers.metrics import LATENESS, PAGES
from workers.pagerduty import PagerDutyClient, PermanentError, TransientError

log = logging.getLogger(__name__)


class RetryLater(Exception):
    """A transient failure, recorded; the task retries after `countdown` seconds."""

    def __init__(self, error: str, countdown: float):
        super().__init__(error)
        self.countdown = countdown


def deliver(engine: sa.Engine, client: PagerDutyClient, settings, page_id: int, *, clock,
            countdown: float | None) -> str:
    """Send the page if still pending; returns what happened. `countdown` None: no retry left.

    The row stays locked while PagerDuty answers, so a second delivery of the same task skips it
    and then finds it sent: one page, never two.
    """
    with engine.begin() as conn:
        page = outbox.claim(conn, page_id)
        if page is None:
            return "skipped"
        try:
            client.send(_event(page, settings))
        except PermanentError as error:
            return _failed(conn, page, str(error), clock())
        except TransientError as error:
            if countdown is None:
                return _failed(conn, page, f"gave up after {page.attempts + 1} attempts: {error}", clock())
            # Recorded and committed before the task retries: the sweep waits past the retry.
            outbox.mark_retrying(conn, page, str(error), clock() + timedelta(seconds=countdown + 30))
            retry = RetryLater(str(error), countdown)
        else:
            retry, now = None, clock()
            outbox.mark_sent(conn, page, now)
    if retry is not None:
        PAGES.labels(page.action, "retried").inc()
        log.warning("page %s of incident %s: %s; retrying in %.1fs", page.id, page.incident_id, retry, countdown)
        raise retry
    PAGES.labels(page.action, "sent").inc()
    LATENESS.observe(max(0.0, (now - utc(page.due_at)).total_seconds()))
    return "sent"


def _failed(conn, page, error: str, now: datetime) -> str:
    outbox.mark_failed(conn, page, error, now)
    PAGES.labels(page.action, "failed").inc()
    log.error("page %s of incident %s failed for good: %s", page.id, page.incident_id, error)
    return "failed"


def _event(page, settings) -> dict:
    if page.action != "trigger":
        return paging.follow_up_event(page)
    target = f"{page.target_kind}:{page.target_name}"
    token = links.sign(links.Link(page.incident_id, target, "acknowledge", page.id), settings.secret_key)
    return paging.trigger_event(page, labels=page.labels or {},
                                incident_url=f"{settings.public_url}/incidents/INC-{page.number}",
                                ack_url=f"{settings.public_url}/ack/{token}")
