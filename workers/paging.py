"""Delivering pages from the outbox to PagerDuty in batches, exactly once per row, oldest due first."""

import functools
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from incidents import pagerduty_gate, paging, urls
from store import budget
from store import gate as gates
from store import pages as outbox
from store.timeline import append_entries
from workers.metrics import LATENESS, PAGES
from workers.pagerduty import PagerDutyClient, PermanentError, TransientError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivered:
    """What one delivery did: outcome counts; `wait`, the seconds until PagerDuty's back-off ends when
    PagerDuty refused a page of this delivery (deliver again then); whether ready pages may be left
    (a drain that stopped at its bound, or a catch-up that just ended: `more`)."""

    outcomes: dict[str, int]
    wait: float | None = None
    more: bool = False


@dataclass(frozen=True)
class Answer:
    """PagerDuty's answer to one page: sent, failed (for good) or retrying (with the queue, once
    PagerDuty's back-off ends). `transient`: a 429, a 5xx or no answer, with its Retry-After if any."""

    page: object
    outcome: str
    at: datetime
    detail: str = ""
    summary: str = ""  # what happened, in short, for timeline entries and the back-off's reason
    transient: bool = False
    retry_after: float | None = None


@dataclass(frozen=True)
class Batch:
    answers: list[Answer]
    wait: float | None = None  # this batch closed the gate for so long
    stopped: str | None = None  # "closed": the gate was closed; "deferred": another delivery catches up
    full: bool = False  # as many pages as asked for, none refused: more may be waiting
    drained: bool = False  # a catch-up found the queue empty: deliveries go concurrent again


def deliver(
    engine: sa.Engine,
    client: PagerDutyClient,
    settings,
    page_ids: list[int],
    *,
    clock,
    backoff: Callable[[int], float],
    retries: int | None = None,
    send_all=map,
    batch: int | None = None,
    batches: int | None = None,
    catalog=None,
) -> Delivered:
    """Send the oldest pending pages ready (those of `page_ids` among them), `batch` pages a
    transaction, until none is left, PagerDuty refuses one, or `batches` batches ran (`more`).

    PagerDuty's back-off is shared (incidents.pagerduty_gate): while it holds, nothing is sent and the
    pages waiting say so on their timelines; a refusal closes it for every worker, for Retry-After or
    `backoff(refusals in a row)` seconds. After a refusal, until the queue is empty, one delivery at a
    time sends one page after the other, oldest due first; otherwise `send_all(function, items)` sends
    a batch, concurrently if it likes. A page refused more than `retries` times is given up.
    With `catalog`, its services' page budgets hold back pages past them (store.budget).
    The rows stay locked while PagerDuty answers, so a second delivery of the same pages skips them
    and then finds them sent: one page, never two.
    """
    timings = settings.timings
    batch, batches = batch or timings.pages_per_batch, batches or timings.batches_per_drain
    send = functools.partial(
        _batch,
        engine,
        client,
        settings,
        clock=clock,
        backoff=backoff,
        retries=timings.page_retries if retries is None else retries,
        send_all=send_all,
        catalog=catalog,
    )
    answers, step = [], Batch([], full=True)
    for n in range(batches):
        step = send(page_ids if n == 0 else [], limit=max(batch, len(page_ids)) if n == 0 else batch)
        answers += step.answers
        if not step.full:
            break
    done = {answer.page.id for answer in answers}
    unanswered = len(set(page_ids) - done)
    outcomes = Counter(answer.outcome for answer in answers)
    outcomes["waiting" if step.stopped or step.wait is not None else "skipped"] += unanswered
    return Delivered(dict(+outcomes), step.wait, step.full or step.drained)


def _batch(engine, client, settings, page_ids, *, limit, clock, backoff, retries, send_all, catalog) -> Batch:
    """One claim, rationed by the page budgets, its pages sent and recorded in one transaction; metrics
    and logs once committed. Nothing while PagerDuty's back-off holds, or while another delivery sends
    the queue in order."""
    timings, cap = settings.timings, settings.timings.page_retry_cap
    with engine.begin() as conn:
        now = clock()
        gate = gates.read(conn)
        if gate.wait(now) > 0:
            _hold(conn, gate, now, timings.pages_per_sweep)
            return Batch([], stopped="closed")
        in_order = gate.catching_up
        if in_order and (gate := gates.lock(conn)) is None:
            return Batch([], stopped="deferred")
        if gate.wait(now) > 0:  # closed by another delivery since it was read
            return Batch([], stopped="closed")
        claimed = outbox.claim(conn, page_ids, ready_by=now, limit=limit)
        summary_after = timings.budget_summary_after
        sending, held = budget.ration(conn, claimed, catalog=catalog, now=now, summary_after=summary_after)
        texts = budget.summary_texts(conn, sending, catalog=catalog)
        events = [(page, _event(page, settings, texts.get(page.id))) for page in sending]
        one = functools.partial(_send, client, clock=clock, retries=retries)
        answers = _one_by_one(one, events) if in_order else list(send_all(lambda item: one(*item), events))
        _record(conn, answers, waited=in_order)
        append_entries(conn, held)
        refusals = [(answer.retry_after, answer.summary) for answer in answers if answer.transient]
        took = any(not answer.transient for answer in answers)
        drained = False
        if in_order:
            after = pagerduty_gate.after(gate, clock(), took=took, refusals=refusals, backoff=backoff, cap=cap)
            drained = not refusals and len(claimed) < limit and after.failures == 0
            gates.save(conn, pagerduty_gate.drained(after) if drained else after)
            if refusals:
                _hold(conn, after, now, timings.pages_per_sweep)
    if refusals and not in_order:
        with engine.begin() as conn:
            after = pagerduty_gate.after(
                gates.lock(conn, wait=True), clock(), took=took, refusals=refusals, backoff=backoff, cap=cap
            )
            gates.save(conn, after)
            _hold(conn, after, now, timings.pages_per_sweep)
    if held:
        log.info("%d pages held back by page budgets", len(held))
    for answer in answers:
        _count(answer)
    if refusals:
        log.warning("PagerDuty refused a page (%s): every page waits %.1fs", after.reason, after.wait(clock()))
        return Batch(answers, wait=after.wait(clock()))
    return Batch(answers, full=len(claimed) >= limit, drained=drained)


def _one_by_one(send, events) -> list[Answer]:
    """Catching up: the pages in due order, each once the one before was answered; none after a refusal."""
    answers = []
    for page, event in events:
        answers.append(send(page, event))
        if answers[-1].transient:
            break
    return answers


def _hold(conn, gate, now: datetime, limit: int) -> None:
    """Pages waiting for PagerDuty's back-off say so on their timelines, once each."""
    reason = gate.reason or "PagerDuty unavailable"
    waiting = outbox.hold(conn, now, reason, limit=limit)
    append_entries(conn, [(page.incident_id, now, paging.not_delivered_yet(page, reason)) for page in waiting])


def _send(client: PagerDutyClient, page, event: dict, *, clock, retries: int) -> Answer:
    try:
        client.send(event)
    except PermanentError as error:
        return Answer(page, "failed", clock(), str(error))
    except TransientError as error:
        outcome, detail = (
            ("failed", error.after(page.attempts + 1)) if page.attempts >= retries else ("retrying", str(error))
        )
        return Answer(page, outcome, clock(), detail, error.summary, transient=True, retry_after=error.retry_after)
    return Answer(page, "sent", clock())


def _record(conn, answers: list[Answer], *, waited: bool) -> None:
    """Every answer, and what the timelines say of it, in the batch's transaction: a few statements
    for the whole batch, never one per page. `waited`: the pages waited for PagerDuty (a catch-up)."""
    outbox.mark_sent(conn, {answer.page.id: answer.at for answer in answers if answer.outcome == "sent"})
    outbox.mark_failed(conn, {answer.page.id: answer.detail for answer in answers if answer.outcome == "failed"})
    retrying = {answer.page.id: (answer.detail, answer.at) for answer in answers if answer.outcome == "retrying"}
    outbox.mark_retrying(conn, retrying)
    append_entries(
        conn, [(answer.page.incident_id, answer.at, entry) for answer in answers if (entry := _entry(answer, waited))]
    )


def _entry(answer: Answer, waited: bool):
    """The timeline entry an answer deserves: a delivered trigger, a failure, a page's first retry."""
    page = answer.page
    if answer.outcome == "sent":
        if page.action != "trigger":
            return None
        # A page that waited for PagerDuty (refused, or held by the back-off) says how late it is.
        return paging.delivered(page, late=answer.at - page.due_at if waited or page.last_error else None)
    if answer.outcome == "failed":
        return paging.failed(page, answer.detail)
    return paging.not_delivered_yet(page, answer.summary) if page.last_error is None else None


def _count(answer: Answer) -> None:
    """Metrics and logs, once the transaction committed."""
    page = answer.page
    PAGES.labels(page.action, "retried" if answer.outcome == "retrying" else answer.outcome).inc()
    where = f"{page.action} {page.id} to {paging.target_label(page)} for INC-{page.number}"
    if answer.outcome == "sent":
        LATENESS.observe(max(0.0, (answer.at - page.due_at).total_seconds()))
        log.info("page %s delivered", where)
    elif answer.outcome == "retrying":
        log.warning("page %s not delivered: %s; waiting for PagerDuty", where, answer.detail)
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
