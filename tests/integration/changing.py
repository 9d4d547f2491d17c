"""Helpers for the change tests: PagerDuty's documented example, a deploy, and what was stored."""

import copy
import json

import sqlalchemy as sa

from store.tables import changes, raw_requests
from tests.support import ROOT, free_port

CHANGE_EVENTS = "/v2/change/enqueue"
DEPLOY = "/webhooks/deploy"
UNREACHABLE_DB = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none?connect_timeout=2"
ROUTING_KEY = "exampleintegrationkey00000000001"  # production-api's (config/services.yaml)
# PagerDuty's "Send a Change Event" example, verbatim but for the routing key (docs/contracts-more.md).
EXAMPLE = json.loads((ROOT / "tests" / "fixtures" / "pagerduty" / "change-event-example.json").read_text())


def change_event() -> dict:
    return copy.deepcopy(EXAMPLE) | {"routing_key": ROUTING_KEY}


def deploy(**fields) -> dict:
    body = {"service": "payment-service", "version": "v1.4.2", "summary": "Raise the pool to 50 connections"}
    return body | fields


def stored(engine) -> tuple[list, list]:
    """(changes, raw requests), oldest first."""
    with engine.connect() as conn:
        found = conn.execute(sa.select(changes).order_by(changes.c.id)).all()
        raws = conn.execute(sa.select(raw_requests).order_by(raw_requests.c.id)).all()
    return found, raws


def assert_no_change_stored(engine):
    assert stored(engine) == ([], [])
