"""The tasks: thin entry points that take ids, re-read state, and are safe to run twice."""
from datetime import datetime, timezone

import sqlalchemy.exc
from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from workers import escalating, paging
from workers.context import context

MAX_PAGE_RETRIES = 8
DB_RETRY = {"autoretry_for": (sqlalchemy.exc.OperationalError,), "retry_backoff": True, "retry_jitter": True,
            "max_retries": 5}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@shared_task(name="tasks.page_target", bind=True, max_retries=MAX_PAGE_RETRIES, **{
    k: v for k, v in DB_RETRY.items() if k != "max_retries"})
def page_target(self, page_id: int) -> str:
    """Send one outbox row to PagerDuty; 429/5xx/timeouts retry with backoff and jitter, bounded."""
    ctx = context()
    retries = self.request.retries
    countdown = (None if retries >= MAX_PAGE_RETRIES
                 else get_exponential_backoff_interval(1, retries, 300, full_jitter=True) + 0.5)
    try:
        return paging.deliver(ctx.engine, ctx.client, ctx.settings, page_id, clock=utcnow, countdown=countdown)
    except paging.RetryLater as later:
        raise self.retry(countdown=later.countdown)


@shared_task(name="tasks.escalate", **DB_RETRY)
def escalate(incident_id: int, token: int) -> None:
    """The wake-up hint for one incident; a stale token makes it a no-op."""
    ctx = context()
    decision = escalating.wake_one(ctx.engine, ctx.catalog, incident_id, token, now=utcnow())
    if decision is not None:
        ctx.dispatch([decision])


@shared_task(name="tasks.tick")
def tick() -> int:
    """Every few seconds: claim due escalations and re-send pages whose task was lost."""
    ctx = context()
    now = utcnow()
    decisions = escalating.claim_due(ctx.engine, ctx.catalog, now=now)
    ctx.dispatch(decisions, now=now)
    for page_id in escalating.lost_pages(ctx.engine, now=now):
        ctx.dispatch.page(page_id)
    return len(decisions)
