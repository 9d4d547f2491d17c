"""The tasks: thin entry points that take ids, re-read state, and are safe to run twice."""

import functools
import random
import sys
from datetime import UTC, datetime

import sqlalchemy.exc
from celery import shared_task
from celery.signals import worker_ready, worker_shutdown

from commands import notices as on_call_notices
from incidents.timings import DEFAULT
from workers import chat, escalating, inbox, notices, paging
from workers.context import context
from workers.tick_summary import TickSummary


@worker_ready.connect
def start_inbox_consumer(**_):
    """The worker applies the intake inbox as requests come (workers/inbox.py); beat's tick is its safety net."""
    ctx = context()
    CONSUMERS.append(inbox.Consumer(ctx.engine, ctx.catalog, ctx.dispatch).start())


@worker_shutdown.connect
def stop_inbox_consumer(**_):
    while CONSUMERS:
        CONSUMERS.pop().close()


CONSUMERS: list = []
TICKS = TickSummary()  # this worker process's ticks, summed for the once-a-minute log line
DB_RETRY = {
    "autoretry_for": (sqlalchemy.exc.OperationalError,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


# A retry waiting for PagerDuty's back-off wakes this much after it ends, so that it finds it open.
GATE_MARGIN = 0.05


def utcnow() -> datetime:
    return datetime.now(UTC)


def backoff(
    attempts: int, *, retries: int = DEFAULT.page_retries, base: float = 1.0, cap: float = 300.0
) -> float | None:
    """Seconds before the next try of a page that failed `attempts` times; None: give up after `retries`.

    `base` and `cap` are settings (INCIDENTS_PAGE_RETRY_BASE_SECONDS, _CAP_SECONDS) so that the
    fault suite can play a long PagerDuty outage at a smaller scale."""
    if attempts >= retries:
        return None
    interval = min(cap, base * 2 ** min(attempts, 64))
    # "Equal jitter": spread, yet never shorter than half the interval, so the retries span a known time.
    return interval / 2 + random.uniform(0, interval / 2)


@shared_task(
    name="tasks.page_targets",
    bind=True,
    max_retries=None,
    **{k: v for k, v in DB_RETRY.items() if k != "max_retries"},
)
def page_targets(self, page_ids: list[int]) -> dict:
    """Send the oldest pages waiting, `page_ids` among them, batch after batch, so that the pages
    committed together (Dispatcher.pages) take one task.

    PagerDuty's 429/5xx/timeouts close the back-off shared by every worker (incidents.pagerduty_gate):
    the task that was refused retries when it ends, and sends the queue in due order; a task that
    finds the back-off closed leaves its pages to that one (and the sweep of lost pages to a lost one).
    """
    ctx = context()
    timings = ctx.settings.timings
    done = paging.deliver(
        ctx.engine,
        ctx.client,
        ctx.settings,
        page_ids,
        clock=utcnow,
        backoff=functools.partial(
            backoff, retries=sys.maxsize, base=timings.page_retry_base, cap=timings.page_retry_cap
        ),
        send_all=ctx.senders.map,
        catalog=ctx.catalog,
    )
    if done.more:
        ctx.dispatch.ready_pages()
    if done.wait is not None:
        raise self.retry(countdown=done.wait + GATE_MARGIN)
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
    """Every few seconds: apply what waits in the inbox (the safety net of its consumer), claim due
    escalations, sweep breached targets and missed status updates, post-mortem and follow-up reminders,
    and re-send pages whose task was lost."""
    ctx, now = context(), utcnow()
    timings = ctx.settings.timings
    applied = inbox.drain(ctx.engine, ctx.catalog, ctx.dispatch).requests
    claimed, swept = claim_due(ctx, now), sweep_targets(ctx, now) + sweep_postmortems(ctx, now)
    swept += sweep_follow_ups(ctx, now)
    lost = escalating.lost_pages(ctx.engine, now=now, timings=timings)
    ctx.dispatch.pages(lost)
    ctx.dispatch.chat(chat.lost(ctx.engine, now=now))
    counts = {"escalations woken": claimed, "incidents swept for targets": swept, "pages re-queued": len(lost)}
    TICKS.add(now, counts | {"requests applied from the inbox": applied})
    return claimed + swept


@shared_task(name="tasks.notices")
def send_notices() -> int:
    """Once a minute: look at every schedule (record who was on call, store the notices due: handoffs,
    changed shifts, gaps), then send what is due."""
    ctx, now = context(), utcnow()
    on_call_notices.look(ctx.engine, ctx.catalog, now=now)
    return notices.send_due(ctx.engine, ctx.catalog, ctx.settings, now=now)


def claim_due(ctx, now: datetime) -> int:
    """Escalations due by `now`, a batch per transaction, each handed over once committed."""
    return in_batches(ctx, lambda limit: escalating.claim_due(ctx.engine, ctx.catalog, now=now, limit=limit))


def sweep_postmortems(ctx, now: datetime) -> int:
    """Post-mortem reminders due by `now` (at 5 days, and when overdue), a batch per transaction."""
    return in_batches(ctx, lambda limit: escalating.sweep_postmortems(ctx.engine, ctx.catalog, now=now, limit=limit))


def sweep_follow_ups(ctx, now: datetime) -> int:
    """Follow-up reminders due by `now` (on the due date, and when overdue), a batch per transaction."""
    return in_batches(ctx, lambda limit: escalating.sweep_follow_ups(ctx.engine, ctx.catalog, now=now, limit=limit))


def sweep_targets(ctx, now: datetime) -> int:
    """Breached targets and missed status updates due by `now`, a batch of incidents per transaction."""
    return in_batches(ctx, lambda limit: escalating.sweep_targets(ctx.engine, ctx.catalog, now=now, limit=limit))


def in_batches(ctx, claim) -> int:
    """Run `claim(limit)` until a batch comes back short, handing each batch's decisions over once
    committed; at most `claims_per_tick` batches: the next tick carries on."""
    done, batch = 0, ctx.settings.timings.escalations_per_claim
    for _ in range(ctx.settings.timings.claims_per_tick):
        decisions = claim(batch)
        ctx.dispatch(decisions)
        done += len(decisions)
        if len(decisions) < batch:
            break
    return done


MAX_CHAT_ATTEMPTS = 12  # about 40 minutes of a chat outage with backoff up to 5 minutes


def chat_backoff(attempts: int) -> float | None:
    """Seconds before the next try of a chat message that failed `attempts` times; None: give up."""
    return backoff(attempts, retries=MAX_CHAT_ATTEMPTS)


@shared_task(
    name="tasks.send_chat", bind=True, max_retries=None, **{k: v for k, v in DB_RETRY.items() if k != "max_retries"}
)
def send_chat(self, message_ids: list[int]) -> dict:
    """Send every chat message ready, in order per incident; 429 (after Retry-After), 5xx and timeouts
    retry with backoff, a permanent error is on the incident's timeline. `message_ids` name the
    messages that asked for this delivery; it sends those and any other ready.

    One delivery at a time per worker process (workers.chat): another waits for its turn by retrying."""
    if not chat.ONE_AT_A_TIME.acquire(blocking=False):
        raise self.retry(countdown=1)
    try:
        ctx = context()
        public_url = ctx.settings.public_url
        done = chat.deliver(ctx.engine, ctx.catalog, public_url=public_url, clock=utcnow, backoff=chat_backoff)
    finally:
        chat.ONE_AT_A_TIME.release()
    if done.more:
        ctx.dispatch.chat(message_ids or [0])
    if done.retry_in is not None:
        raise self.retry(countdown=done.retry_in + 0.05)
    return done.outcomes
