"""Liveness, readiness (database and broker reachable) and Prometheus metrics."""

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.exc
from flask import Response, current_app
from kombu import Connection

from api import answers
from ingest import metrics
from ingest.documented import NONE, Blueprint, operation
from store import follow_ups, inbox, postmortems
from store.histograms import milestone_buckets
from store.noise import flap_counts
from store.pages import delivery_counts, overdue_count
from store.targets import breach_counts

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
@bp.response(200, answers.Health)
@operation(security=NONE)
def healthz():
    """Liveness: the process answers."""
    return {"status": "ok"}


@bp.get("/readyz")
@bp.response(200, answers.Readiness, description="Ready")
@bp.alt_response(503, schema=answers.Readiness, description="Not ready")
@operation(security=NONE)
def readyz():
    """Readiness: 200 when the database and the broker are reachable, else 503 naming what is not."""
    state = current_app.extensions["incidents"]
    checks = {"database": _check(_database, state.engine), "broker": _check(_broker, state.settings)}
    ready = all(value == "ok" for value in checks.values())
    return {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503


@bp.get("/metrics")
@bp.doc(responses={"200": {"description": "Text exposition format", "content": {"text/plain": {"schema": {}}}}})
@operation(security=NONE)
def prometheus_metrics():
    """Prometheus text format."""
    state = current_app.extensions["incidents"]
    overdue = _check_value(lambda engine: _overdue(engine, state.settings.timings.overdue_after), state.engine)
    deliveries, breaches = _check_value(_deliveries, state.engine), _check_value(_breaches, state.engine)
    flaps, milestones = _check_value(_flaps, state.engine), _check_value(_milestones, state.engine)
    postmortems_overdue = _check_value(_postmortems_overdue, state.engine)
    follow_ups_overdue = _check_value(_follow_ups_overdue, state.engine)
    inbox_pending = _check_value(_inbox_pending, state.engine)
    body, content_type = metrics.exposition(
        overdue=overdue,
        deliveries=deliveries,
        breaches=breaches,
        flaps=flaps,
        milestones=milestones,
        postmortems_overdue=postmortems_overdue,
        follow_ups_overdue=follow_ups_overdue,
        inbox_pending=inbox_pending,
    )
    return Response(body, content_type=content_type)


def _check(probe, target) -> str:
    try:
        probe(target)
        return "ok"
    except Exception as error:  # any failure means "not ready"; it is logged and answered 503
        log.warning("readiness check failed: %s", error)
        return f"unavailable: {error.__class__.__name__}"


def _check_value(probe, target):
    try:
        return probe(target)
    except sqlalchemy.exc.SQLAlchemyError as error:  # metrics must answer while the database is down
        log.warning("metrics: database unavailable: %s", error.__class__.__name__)
        return None


def _overdue(engine, after: timedelta) -> int:
    with engine.connect() as conn:
        return overdue_count(conn, datetime.now(UTC) - after)


def _deliveries(engine) -> dict:
    with engine.connect() as conn:
        return delivery_counts(conn)


def _breaches(engine) -> list[tuple[str, str, int]]:
    with engine.connect() as conn:
        return breach_counts(conn)


def _postmortems_overdue(engine) -> int:
    with engine.connect() as conn:
        return postmortems.overdue_count(conn, datetime.now(UTC))


def _inbox_pending(engine) -> int:
    with engine.connect() as conn:
        return inbox.pending_count(conn)


def _follow_ups_overdue(engine) -> int:
    with engine.connect() as conn:
        return follow_ups.overdue_count(conn, datetime.now(UTC).date())


def _flaps(engine) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        return flap_counts(conn)


def _milestones(engine) -> dict:
    with engine.connect() as conn:
        return milestone_buckets(conn)


def _database(engine) -> None:
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))


def _broker(settings) -> None:
    if settings.embedded_broker:
        folder = Path(settings.broker_options["data_folder_in"])
        folder.mkdir(parents=True, exist_ok=True)
        return
    with Connection(settings.broker_url, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
