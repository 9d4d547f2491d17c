"""The tasks: thin entry points that take ids, re-read state, and are safe to run twice."""

from datetime import UTC, datetime

import sqlalchemy.exc
from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from store.catch_up import catch_up_left_behind
from workers import escalating, paging
from workers.context import context
from workers.tick_summary import TickSummary

MAX_PAGE_RETRIES = 8
TICKS = TickSummary()  # this worker process's ticks, summed for the once-a-minute log line
DB_RETRY = {
    "autoretry_for": (sqlalchemy.exc.OperationalError,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def backoff(attempts: int) -> float | None:
    """Seconds before the next try of a page that failed `attempts` times; None: give up."""
    if attempts >= MAX_PAGE_RETRIES:
        return None
    return get_exponential_backoff_interval(1, attempts, 300, full_jitter=True) + 0.5


@shared_task(
    name="tasks.page_targets",
    bind=True,
    max_retries=MAX_PAGE_RETRIES,
    **{k: v for k, v in DB_RETRY.items() if k != "max_retries"},
)
def page_targets(self, page_ids: list[int]) -> dict:
    """Send outbox rows to PagerDuty; 429/5xx/timeouts retry with backoff and jitter, bounded.

    A first delivery drains: it also sends every other page ready, batch after batch, so that the
    pages committed together (Dispatcher.pages) take one task. A retry carries its own pages only
    (each retry counts as an attempt of every page it carries).
    """
    ctx = context()
    done = paging.deliver(
        ctx.engine,
        ctx.client,
        ctx.settings,
        page_ids,
        clock=utcnow,
        backoff=backoff,
        drain=self.request.retries == 0,
        send_all=ctx.senders.map,
    )
    if done.more:
        ctx.dispatch.ready_pages()
    if done.retry:
        raise self.retry(args=(list(done.retry),), countdown=done.countdown)
    return done.outcomes


@shared_task(name="tasks.escalate", **DB_RETRY)
def escalate(incident_id: int, token: int) -> int:
    """A wake-up hint: its incident (a stale token makes that a no-op), then everything else due.

    Incidents due together share one hint (Dispatcher.wake), so the hint claims them all.
    """
    ctx, now = context(), utcnow()
    decision = escalating.wake_one(ctx.engine, ctx.catalog, incident_id, token, now=now)
    ctx.dispatch([decision] if decision is not None else [])
    return (decision is not None) + claim_due(ctx, now)


@shared_task(name="tasks.tick")
def tick() -> int:
    """Every few seconds: catch up incidents a dead request left behind, claim due escalations and
    re-send pages whose task was lost."""
    ctx, now = context(), utcnow()
    caught_up = catch_up_left_behind(ctx.engine, ctx.catalog, now=now)
    ctx.dispatch(caught_up)
    claimed = claim_due(ctx, now)
    lost = escalating.lost_pages(ctx.engine, now=now)
    ctx.dispatch.pages(lost)
    counts = {"escalations woken": claimed, "pages re-queued": len(lost), "incidents caught up": len(caught_up)}
    TICKS.add(now, counts)
    return claimed


def claim_due(ctx, now: datetime, batch: int = 50, batches: int = 20) -> int:
    """Escalations due by `now`, a batch per transaction, each handed over once committed.

    At most `batches` batches: the next tick carries on."""
    claimed = 0
    for _ in range(batches):
        decisions = escalating.claim_due(ctx.engine, ctx.catalog, now=now, limit=batch)
        ctx.dispatch(decisions)
        claimed += len(decisions)
        if len(decisions) < batch:
            break
    return claimed
