"""`incidents replay`: re-ingest stored raw requests through the same parsers, without new raw rows."""

import json
import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from marshmallow import ValidationError

from incidents.services import Catalog
from ingest import auth
from ingest.sources import alertmanager, pagerduty
from ingest.sources.changes import DEPLOY, PAGERDUTY_CHANGE
from store.db import reading
from store.intake import record_batches
from store.tables import raw_requests

log = logging.getLogger(__name__)
CHANGE_SOURCES = (PAGERDUTY_CHANGE, DEPLOY)


def replay(
    engine: sa.Engine, catalog: Catalog, *, since_id: int = 0, source: str | None = None, page: int = 20
) -> dict:
    """Re-ingest raw requests with id >= since_id; returns counts of replayed and skipped requests."""
    counts = {"replayed": 0, "skipped": 0}
    for row in _raw_requests(engine, since_id=since_id, source=source, page=page):
        counts["replayed" if _replay_one(engine, catalog, row) else "skipped"] += 1
    return counts


def _raw_requests(engine, *, since_id, source, page):
    """Raw requests stored before replay started, in id order, read `page` at a time in short
    read-only transactions.

    No transaction stays open while requests are replayed: on SQLite an open one would keep
    the write lock from every replayed request and from intake (see store.db.reading)."""
    with engine.connect() as conn:
        last = reading(conn).execute(sa.select(sa.func.max(raw_requests.c.id))).scalar_one() or 0
    # Changes are not alerts; replaying them would record each change twice.
    alert_requests = raw_requests.c.source.not_in(CHANGE_SOURCES)
    query = sa.select(raw_requests).where(raw_requests.c.id <= last, alert_requests).order_by(raw_requests.c.id)
    query = query.limit(page)
    if source:
        query = query.where(raw_requests.c.source == source)
    after = since_id - 1
    while True:
        with engine.connect() as conn:
            rows = reading(conn).execute(query.where(raw_requests.c.id > after)).all()
        yield from rows
        if len(rows) < page:
            return
        after = rows[-1].id


def _replay_one(engine, catalog, row) -> bool:
    try:
        batches, acknowledge = _batches(catalog, row, json.loads(row.body))
    except (ValueError, ValidationError, KeyError) as error:
        log.warning("raw request %s not replayed: %s", row.id, error)
        return False
    with engine.begin() as conn:
        record_batches(
            conn, batches, catalog=catalog, source=row.source, now=datetime.now(UTC), acknowledge=acknowledge
        )
    return True


def _batches(catalog, row, body):
    if row.source == "pagerduty":
        event = pagerduty.parse(body, generated_key=pagerduty.key_for(bytes(row.body), row.received_at))
        service = auth.service_for_routing_key(catalog, event.routing_key)
        if service is None:
            raise KeyError("routing key no longer configured")
        return pagerduty.batches_for(event, service)
    return alertmanager.batches_for(body, catalog), ()
