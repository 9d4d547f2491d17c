"""Delivering pages from the outbox to PagerDuty in batches, exactly once per row."""

import functools
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from incidents import paging, urls
from store import budget
from store import pages as outbox
from store.escalation import utc
from store.timeline import append_entries
from workers.metrics import LATENESS, PAGES
from workers.pagerduty import PagerDutyClient, PermanentError, TransientError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivered:
    """What one delivery did: outcome counts; the pages to retry, and after how many seconds; and
    whether ready pages may be left (a drain that stopped at its bound)."""

    outcomes: dict[str, int]
    retry: tuple[int, ...] = ()
    countdown: float = 0.0
    more: bool = False


@dataclass(frozen=True)
class Answer:
    """PagerDuty's answer to one page: sent, failed (for good) or retrying (after `countdown` s)."""

    page: object
    outcome: str
    at: datetime
    detail: str = ""
    countdown: float = 0.0
    summary: str = ""  # what happened, in short, for a retry's timeline entry


def deliver(
    engine: sa.Engine,
    client: PagerDutyClient,
    settings,
    page_ids: list[int],
    *,
    clock,
    backoff: Callable[[int], float | None],
    drain: bool = False,
    send_all=map,
    batch: int | None = None,
    batches: int | None = None,
    catalog=None,
) -> Delivered:
    """Send the pending ones of `page_ids`; with `drain` (a first delivery), then every other page
    ready, `batch` pages a transaction, until none is left, PagerDuty asks us to back off (the pages
    left wait for the next delivery or the sweep), or `batches` batches ran (`more`).

    `backoff(attempts)` is the countdown before a page that already failed `attempts` times is
    retried, None to give up. `send_all(function, items)` sends them, concurrently if it likes.
    With `catalog`, its services' page budgets hold back pages past them (store.budget).
    The rows stay locked while PagerDuty answers, so a second delivery of the same pages skips them
    and then finds them sent: one page, never two.
    """
    timings = settings.timings
    batch, batches = batch or timings.pages_per_batch, batches or timings.batches_per_drain
    send = functools.partial(
        _batch, engine, client, settings, clock=clock, backoff=backoff, send_all=send_all, drain=drain, catalog=catalog
    )
    answers = last = send(page_ids, limit=max(batch, len(page_ids)))
    skipped = len(set(page_ids) - {answer.page.id for answer in answers})
    for _ in range(batches - 1):
        if not (drain and _full(last, batch)):
            break
        last = send([], limit=batch)
        answers = answers + last
    retrying = [answer for answer in answers if answer.outcome == "retrying"]  # the last batch's only
    outcomes = Counter(answer.outcome for answer in answers) + Counter(skipped=skipped)
    return Delivered(
        dict(outcomes),
        tuple(answer.page.id for answer in retrying),
        max((answer.countdown for answer in retrying), default=0.0),
        drain and _full(last, batch),
    )


def _full(answers: list["Answer"], batch: int) -> bool:
    """A whole batch that PagerDuty took without asking us to back off: more may be waiting."""
    return len(answers) >= batch and all(answer.outcome != "retrying" for answer in answers)


def _batch(engine, client, settings, page_ids, *, limit, clock, backoff, send_all, drain, catalog) -> list["Answer"]:
    """One claim, rationed by the page budgets, its pages sent and recorded in one transaction; metrics
    and logs once committed."""
    with engine.begin() as conn:
        claimed = outbox.claim(conn, page_ids, ready_by=clock() if drain else None, limit=limit)
        summary_after = settings.timings.budget_summary_after
        claimed, held = budget.ration(conn, claimed, catalog=catalog, now=clock(), summary_after=summary_after)
        texts = budget.summary_texts(conn, claimed, catalog=catalog)
        events = [(page, _event(page, settings, texts.get(page.id))) for page in claimed]
        answers = list(send_all(lambda item: _send(client, *item, clock=clock, backoff=backoff), events))
        _record(conn, answers, clock() + settings.timings.retry_margin)
        append_entries(conn, held)
    if held:
        log.info("%d pages held back by page budgets", len(held))
    for answer in answers:
        _count(answer)
    return answers


def _send(client: PagerDutyClient, page, event: dict, *, clock, backoff) -> Answer:
    try:
        client.send(event)
    except PermanentError as error:
        return Answer(page, "failed", clock(), str(error))
    except TransientError as error:
        countdown = backoff(page.attempts)
        if countdown is None:
            return Answer(page, "failed", clock(), error.after(page.attempts + 1))
        return Answer(page, "retrying", clock(), str(error), countdown, error.summary)
    return Answer(page, "sent", clock())


def _record(conn, answers: list[Answer], margin_from: datetime) -> None:
    """Every answer, and what the timelines say of it, in the batch's transaction: a few statements
    for the whole batch, never one per page."""
    outbox.mark_sent(conn, {answer.page.id: answer.at for answer in answers if answer.outcome == "sent"})
    outbox.mark_failed(conn, {answer.page.id: answer.detail for answer in answers if answer.outcome == "failed"})
    retrying = [answer for answer in answers if answer.outcome == "retrying"]
    retry_at = margin_from + timedelta(seconds=max((answer.countdown for answer in retrying), default=0.0))
    # committed before the task retries: the sweep waits past the retry
    outbox.mark_retrying(conn, {answer.page.id: answer.detail for answer in retrying}, retry_at)
    append_entries(
        conn, [(answer.page.incident_id, answer.at, entry) for answer in answers if (entry := _entry(answer))]
    )


def _entry(answer: Answer):
    """The timeline entry an answer deserves: a delivered trigger, a failure, a page's first retry."""
    page = answer.page
    if answer.outcome == "sent":
        return paging.delivered(page) if page.action == "trigger" else None
    if answer.outcome == "failed":
        return paging.failed(page, answer.detail)
    return paging.not_delivered_yet(page, answer.summary) if page.attempts == 0 else None


def _count(answer: Answer) -> None:
    """Metrics and logs, once the transaction committed."""
    page = answer.page
    PAGES.labels(page.action, "retried" if answer.outcome == "retrying" else answer.outcome).inc()
    where = f"{page.action} {page.id} to {paging.target_label(page)} for INC-{page.number}"
    if answer.outcome == "sent":
        LATENESS.observe(max(0.0, (answer.at - utc(page.due_at)).total_seconds()))
        log.info("page %s delivered", where)
    elif answer.outcome == "retrying":
        log.warning("page %s not delivered: %s; retrying in %.1fs", where, answer.detail, answer.countdown)
    else:
        log.warning("page %s failed for good: %s", where, answer.detail)


def _event(page, settings, summary: str | None = None) -> dict:
    if page.action != "trigger":
        return paging.follow_up_event(page)
    if summary is not None:
        return paging.summary_event(page, summary, list_url=urls.incident_list_url(settings.public_url))
    return paging.trigger_event(
        page,
        labels=page.labels or {},
        incident_url=urls.incident_url(settings.public_url, page.number),
        ack_url=urls.page_ack_url(settings.public_url, settings.secret_key, page),
    )
