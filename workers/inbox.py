"""The inbox's consumer: applies stored requests in id order, a claimed batch per transaction.

Woken right after a request is stored (PostgreSQL NOTIFY, heard by `listen`), polled where there is
none (SQLite), and drained by beat's tick as the safety net. A batch is claimed, read with the same
parsers as at intake, folded (incidents.folding), applied and marked applied in one transaction; its
decisions (pages, wake-ups, chat) go to the workers once it committed. Several consumers may run:
each holds the lanes it applies (store.inbox).
"""

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from marshmallow import ValidationError

from commands.alerts import apply_step
from incidents import folding
from incidents.services import Catalog
from ingest.inbox import Asked, read
from ingest.sources.changes import DEPLOY, PAGERDUTY_CHANGE
from settings.logs import REQUEST_ID
from store import inbox
from store.db import reading
from workers import metrics

log = logging.getLogger(__name__)
BATCH = 100  # requests per transaction: a burst drains in a few, and a request waits for at most one batch
# SQLite has one writer: a consumer's transaction holds intake's INSERTs back while it runs, and a writer
# waiting for the lock looks again only every few tens of ms (SQLite's busy handler). So smaller batches,
# with a pause after a full one that lets waiting requests in.
SQLITE_BATCH, SQLITE_PAUSE = 50, 0.1
POLL_SECONDS = 0.1  # SQLite, or a lost LISTEN connection: how often to look for waiting requests
# After a drain that applied something, the consumer gathers for this long before it looks again: under
# load each request's wake-up would otherwise start a transaction for a request or two, and a batch's
# cost is mostly per transaction and per group, not per request (repeats fold). An idle consumer still
# applies the first request at once: the pause follows a drain, it does not precede one.
GATHER_SECONDS = 0.05


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Applied:
    """One claimed batch, applied: how many requests, and what the workers are asked to do."""

    requests: int = 0
    decisions: list = field(default_factory=list)
    unreadable: int = 0  # stored requests that no longer read (a routing key removed since)


def apply_batch(engine: sa.Engine, catalog: Catalog, *, now: datetime, limit: int = BATCH) -> Applied:
    """Claim up to `limit` waiting requests and apply them in one transaction."""
    with engine.begin() as conn:
        return _apply(conn, inbox.claim(conn, limit=limit), catalog, now)


def _apply(conn, stored: list[inbox.Stored], catalog: Catalog, now: datetime) -> Applied:
    """Apply claimed requests, folded, and mark them applied with the incidents each went to."""
    done = Applied(requests=len(stored))
    numbers = {row.id: set() for row in stored}
    request_ids = {row.id: row.request_id for row in stored}
    asked = _read_all(stored, catalog)
    done.unreadable = len(stored) - len(asked)
    for step in folding.fold(asked):
        token = REQUEST_ID.set(request_ids[step.requests[0]])  # the timeline's entries carry it
        try:
            outcome = apply_step(conn, step, catalog=catalog, now=now)
        finally:
            REQUEST_ID.reset(token)
        done.decisions += outcome.applied
        metrics.ALERTS_DEDUPLICATED.labels(step.source).inc(outcome.repeats)
        metrics.INCIDENTS_OPENED.labels(step.source).inc(outcome.opened)
        for request in step.requests:
            numbers[request] |= {outcome.incident_number} - {None}
    applied_at = utcnow()  # the batch's end, as near its commit as can be: what the lag is measured to
    inbox.mark_applied(conn, {row_id: sorted(found) for row_id, found in numbers.items()}, applied_at)
    for row in stored:
        metrics.INBOX_APPLIED.labels(row.source).inc()
        metrics.INBOX_LAG.observe(max(0.0, (applied_at - row.received_at).total_seconds()))
    return done


def _read_all(stored: list[inbox.Stored], catalog: Catalog) -> list:
    """(id, source, batches, acknowledged groups) of each request; one that no longer reads (its
    routing key removed from the configuration since) is applied as nothing, and logged."""
    asked = []
    for row in stored:
        try:
            found = _read_lately.read(row, catalog)
        except (ValueError, ValidationError, KeyError) as error:
            log.warning("request %s (%s) not applied: %s", row.request_id or row.id, row.source, error)
            metrics.INBOX_FAILED.labels(row.source).inc()
            continue
        asked.append((row.id, row.source, found.batches, found.acknowledge))
    return asked


class ReadLately:
    """The requests read lately, by sender and body. Alertmanager re-sends each group's state unchanged
    every `repeat_interval` (an HA pair twice), so most bodies were read moments ago, in this batch or
    an earlier one: parsing them again with marshmallow was a quarter of the consumer's CPU. A read holds
    for the catalog it was read with. PagerDuty events are not kept: one sent without dedup_key gets a
    key made from its receive time (ingest.sources.pagerduty.key_for), so no two read alike."""

    def __init__(self, size: int = 512, largest: int = 64 * 1024):
        self.size, self.largest = size, largest  # bodies kept, and the longest kept (bytes)
        self.kept: OrderedDict[tuple[str, bytes], tuple[Catalog, Asked]] = OrderedDict()
        self.lock = threading.Lock()  # consumers may share a process

    def read(self, row: inbox.Stored, catalog: Catalog) -> Asked:
        if row.source == "pagerduty" or len(row.body) > self.largest:
            return read(row, catalog)
        key = (row.source, row.body)
        with self.lock:
            kept = self.kept.get(key)
            if kept is not None and kept[0] is catalog:
                self.kept.move_to_end(key)
                return kept[1]
        found = read(row, catalog)
        with self.lock:
            self.kept[key] = (catalog, found)
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)
        return found


_read_lately = ReadLately()


def drain(
    engine: sa.Engine, catalog: Catalog, dispatch: Callable | None, *, clock=utcnow, up_to: int | None = None
) -> Applied:
    """Apply batches until the lanes this consumer can hold are empty, or (`up_to`) until no request up
    to that id waits; each batch's decisions are handed to `dispatch` once committed. How many requests
    were applied (and of those, unreadable)."""
    total, sqlite = Applied(), engine.dialect.name == "sqlite"
    limit = SQLITE_BATCH if sqlite else BATCH
    if sqlite and not _waiting(engine):
        return total  # a claim takes SQLite's one write lock: polling an empty inbox must not
    while True:
        try:
            done = apply_batch(engine, catalog, now=clock(), limit=limit)
        except sa.exc.OperationalError:
            raise  # the database is away: everything waits for it
        except Exception:
            log.exception("inbox: a batch failed; applying its requests one by one")
            done = _apply_alone(engine, catalog, now=clock())
        if dispatch is not None and done.decisions:
            dispatch(done.decisions)
        total.requests += done.requests
        total.unreadable += done.unreadable
        if done.requests < limit or (up_to is not None and not _waiting(engine, up_to=up_to)):
            return total
        if sqlite:
            time.sleep(SQLITE_PAUSE)


# Changes are not alerts: they were applied when they came, and replaying them would record each twice.
CHANGE_SOURCES = (PAGERDUTY_CHANGE, DEPLOY)


def replay(engine: sa.Engine, catalog: Catalog, *, since_id: int = 0, source: str | None = None, dispatch=None) -> dict:
    """`incidents replay`: the stored requests from `since_id` on are applied again, by the consumer's
    own path (dedup makes that safe); {"replayed", "skipped"} (skipped: they no longer read)."""
    with engine.begin() as conn:
        reopened = inbox.reopen(conn, since_id=since_id, source=source, exclude=CHANGE_SOURCES)
        last = inbox.last_id(conn)
    # Up to what it reopened: requests that keep coming meanwhile are the consumer's, not replay's.
    skipped = drain(engine, catalog, dispatch, up_to=last).unreadable
    return {"replayed": reopened - skipped, "skipped": skipped}


def _waiting(engine, *, up_to: int | None = None) -> bool:
    """Whether any request (up to id `up_to`) waits, read without taking the write lock."""
    with engine.connect() as conn:
        return inbox.pending_count(reading(conn), up_to=up_to) > 0


def _apply_alone(engine, catalog, *, now) -> Applied:
    """The oldest waiting request alone; if it fails alone too, it is marked failed (logged, and shown
    by GET /api/requests/<id>) so that the requests after it are not held up behind it."""
    with engine.begin() as conn:
        stored = inbox.claim(conn, limit=1)
        try:
            with conn.begin_nested():
                return _apply(conn, stored, catalog, now)
        except sa.exc.OperationalError:
            raise
        except Exception as error:
            log.exception("inbox: request %s cannot be applied; marked failed", stored[0].request_id)
            inbox.mark_failed(conn, [row.id for row in stored], f"{type(error).__name__}: {error}", now)
            metrics.INBOX_FAILED.labels(stored[0].source).inc()
            return Applied(requests=len(stored))


def listen(engine: sa.Engine, wake: threading.Event, stop: threading.Event) -> None:
    """Set `wake` whenever a request is stored (PostgreSQL NOTIFY); returns when `stop` is set, or at
    once on SQLite (the consumer polls). A lost connection is opened again."""
    if engine.dialect.name != "postgresql":
        return
    while not stop.is_set():
        try:
            _listen_once(engine, wake, stop)
        except sa.exc.OperationalError as error:
            log.warning("inbox: listening for new requests failed (%s); polling until it is back", error)
            stop.wait(1.0)


def _listen_once(engine, wake, stop) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"LISTEN {inbox.NOTIFY_CHANNEL}")
        driver = conn.connection.dbapi_connection
        wake.set()  # anything stored while we were not listening
        while not stop.is_set():
            for _ in driver.notifies(timeout=1.0):  # ends after a second without one, to check `stop`
                wake.set()


class Consumer:
    """A thread that drains the inbox when woken (or every POLL_SECONDS), and one that listens."""

    def __init__(self, engine: sa.Engine, catalog: Catalog, dispatch: Callable | None):
        self.engine, self.catalog, self.dispatch = engine, catalog, dispatch
        self.wake, self.stop = threading.Event(), threading.Event()
        self.threads = [
            threading.Thread(target=self._run, name="inbox-consumer", daemon=True),
            threading.Thread(target=listen, args=(engine, self.wake, self.stop), name="inbox-listener", daemon=True),
        ]

    def start(self) -> "Consumer":
        for thread in self.threads:
            thread.start()
        return self

    def close(self) -> None:
        self.stop.set()
        self.wake.set()
        for thread in self.threads:
            thread.join(timeout=5)

    def _run(self) -> None:
        while not self.stop.is_set():
            self.wake.wait(POLL_SECONDS)
            self.wake.clear()
            try:
                if drain(self.engine, self.catalog, self.dispatch).requests:
                    self.stop.wait(GATHER_SECONDS)
            except sa.exc.OperationalError as error:  # the database is away: the requests wait for it
                log.warning("inbox: applying waiting requests failed (%s); trying again", error)
                self.stop.wait(1.0)
            except Exception:
                log.exception("inbox: a batch could not be applied; it is tried again")
                self.stop.wait(1.0)
