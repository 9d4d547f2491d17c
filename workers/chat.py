"""Delivering the chat outbox: each incident's messages in order, to its webhook or its Slack channel.

Chat runs on a queue of its own, and a worker process delivers chat in one thread at a time
(`ONE_AT_A_TIME`): a chat service that hangs until our timeouts holds that thread only, never the
ones paging.
"""

import functools
import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
import sqlalchemy as sa

from incidents import chat
from incidents.services import Catalog
from store import chat as outbox
from workers.metrics import CHAT
from workers.slack import PermanentError, SlackWebAPI, TransientError, post_webhook

log = logging.getLogger(__name__)
BATCH = 20  # messages per claim: at most one per incident and target
DRAIN_BATCHES = 20  # then another task carries on: a task never runs for long
NAMES_TRIED = 5  # `inc-1-x`, then `inc-1-x-2`...: a name taken by someone else, or by our lost attempt
ONE_AT_A_TIME = threading.Lock()


@dataclass(frozen=True)
class Answer:
    """What became of one message: sent, retrying (after `countdown` s), failed or skipped."""

    message: object
    outcome: str
    detail: str = ""
    countdown: float = 0.0
    remote: str | None = None  # Slack's channel id or message ts
    name: str = ""  # the channel's name, once created
    pause: bool = False  # Slack asked us to slow down: the drain stops


@dataclass(frozen=True)
class Delivered:
    outcomes: dict[str, int]
    retry_in: float | None = None  # when the earliest message waiting for a retry falls due
    more: bool = False  # the drain stopped at its bound with messages left


@functools.cache
def session() -> requests.Session:
    """The worker's HTTP session for chat, built on first use."""
    return requests.Session()


def deliver(
    engine: sa.Engine,
    catalog: Catalog,
    *,
    public_url: str,
    clock,
    backoff: Callable[[int], float | None],
    post=post_webhook,
    batches: int = DRAIN_BATCHES,
) -> Delivered:
    """Send every message ready, a batch per transaction (rows locked while chat answers), until none
    is left, Slack asks us to back off, or `batches` batches ran."""
    answers, last = [], []
    for _ in range(batches):
        last = _batch(engine, catalog, public_url=public_url, clock=clock, backoff=backoff, post=post)
        answers += last
        if not last or any(answer.pause for answer in last):
            break
    retrying = [answer.countdown for answer in answers if answer.outcome == "retrying"]
    more = bool(last) and not any(answer.pause for answer in last)
    return Delivered(dict(Counter(a.outcome for a in answers)), min(retrying, default=None), more)


def lost(engine: sa.Engine, *, now: datetime) -> list[int]:
    """Pending messages whose task must have been lost (a killed worker, a flushed broker)."""
    with engine.begin() as conn:
        return outbox.requeue_stale(conn, now)


def _batch(engine, catalog, *, public_url, clock, backoff, post) -> list[Answer]:
    with engine.begin() as conn:
        claimed = outbox.claim(conn, now=clock(), limit=BATCH)
        answers = [_send(message, catalog, public_url, backoff, post) for message in claimed]
        _record(conn, answers, clock())
    for answer in answers:
        _count(answer)
    return answers


def _send(message, catalog: Catalog, public_url: str, backoff, post) -> Answer:
    config = catalog.chat_of(message.service)
    if config is None or config.target != message.target:
        return Answer(message, "skipped", f"the service {message.service} no longer has this chat configured")
    try:
        if message.target == chat.WEBHOOK:
            incident_url = f"{public_url}/incidents/INC-{message.number}"
            post(session(), config.webhook_url, chat.payload(message.kind, message.text, message.number, incident_url))
            return Answer(message, "sent")
        api = SlackWebAPI(session(), config.slack_api_url, config.slack_bot_token)
        return _to_slack(message, api, public_url, backoff)
    except PermanentError as error:
        return Answer(message, "failed", str(error))
    except TransientError as error:
        return _retry(message, error, backoff)


def _retry(message, error: TransientError, backoff, remote: str | None = None) -> Answer:
    countdown = backoff(message.attempts)
    if countdown is None:
        return Answer(message, "failed", f"gave up after {message.attempts + 1} attempts: {error}")
    countdown = max(countdown, error.retry_after or 0.0)
    return Answer(message, "retrying", str(error), countdown, remote, pause=error.retry_after is not None)


def _to_slack(message, api: SlackWebAPI, public_url: str, backoff) -> Answer:
    if message.kind == "channel":
        name, channel_id = _create_channel(api, message.payload["name"])
        return Answer(message, "sent", remote=channel_id, name=name)
    if message.channel_status != "sent" or not message.channel_id:
        return Answer(message, "skipped", "the incident's Slack channel could not be created")
    ts = message.remote  # posted on an earlier attempt whose pin failed: only pin it
    if ts is None:
        incident_url = f"{public_url}/incidents/INC-{message.number}"
        body = chat.payload(message.kind, message.text, message.number, incident_url)
        ts = api.call("chat.postMessage", channel=message.channel_id, **body)["ts"]
    if message.payload.get("pin"):
        try:
            _pin(api, message.channel_id, ts)
        except TransientError as error:  # posted, not pinned: the retry only pins it
            return _retry(message, error, backoff, remote=ts)
    return Answer(message, "sent", remote=ts)


def _pin(api: SlackWebAPI, channel_id: str, ts: str) -> None:
    try:
        api.call("pins.add", channel=channel_id, timestamp=ts)
    except PermanentError as error:
        if error.code != "already_pinned":  # a retried pin that had worked
            raise


def _create_channel(api: SlackWebAPI, name: str) -> tuple[str, str]:
    """(name, id) of the incident's new channel; a name taken gets a counter (docs/contracts-more.md)."""
    number, _, rest = name.removeprefix("inc-").partition("-")
    for taken in range(NAMES_TRIED):
        tried = chat.channel_name(int(number), rest, taken)
        try:
            return tried, api.call("conversations.create", name=tried, is_private=False)["channel"]["id"]
        except PermanentError as error:
            if error.code != "name_taken" or taken == NAMES_TRIED - 1:
                raise
    raise AssertionError("unreachable")


def _record(conn, answers: list[Answer], now: datetime) -> None:
    """Every answer, in the batch's transaction."""
    for answer in answers:
        message = answer.message
        if answer.outcome == "sent" and message.kind == "channel":
            outbox.channel_created(conn, message, answer.name, answer.remote, now)
        elif answer.outcome == "sent":
            outbox.mark_sent(conn, message, now, remote=answer.remote)
        elif answer.outcome == "retrying":
            outbox.mark_retrying(
                conn, message, answer.detail, now + timedelta(seconds=answer.countdown), remote=answer.remote
            )
        elif answer.outcome == "failed":
            outbox.mark_failed(conn, message, answer.detail, now)
        else:
            outbox.mark_skipped(conn, message, answer.detail)


def _count(answer: Answer) -> None:
    """Metrics and logs, once the transaction committed."""
    message = answer.message
    CHAT.labels(message.target, answer.outcome).inc()
    if answer.outcome == "retrying":
        log.warning(
            "chat message %s of incident %s: %s; retrying in %.1fs",
            message.id,
            message.incident_id,
            answer.detail,
            answer.countdown,
        )
    elif answer.outcome in ("failed", "skipped"):
        log.error(
            "chat message %s of incident %s %s: %s", message.id, message.incident_id, answer.outcome, answer.detail
        )
