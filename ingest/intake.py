"""Intake endpoints: Alertmanager and Grafana webhooks, and the PagerDuty Events API v2."""

import time
from datetime import UTC, datetime

from flask import current_app, g, request
from marshmallow import ValidationError

from incidents.alerts import AlertBatch
from ingest import answers, auth, inbox, metrics
from ingest.documented import EVENT_ERRORS, INTAKE_ERRORS, NONE, WEBHOOK_AUTH, Blueprint, body_doc, operation
from ingest.errors import InvalidEvent, Problem, invalid_fields
from ingest.requests import json_body
from ingest.sources import alertmanager, pagerduty

bp = Blueprint("intake", __name__)


@bp.post("/webhooks/alertmanager")
@bp.response(200, answers.WebhookAnswer, description="Stored")
@operation(security=WEBHOOK_AUTH, errors=INTAKE_ERRORS, requestBody=body_doc(alertmanager.WebhookSchema))
def alertmanager_webhook():
    """Alertmanager webhook (v4), or Grafana's (v1, told apart by orgId).

    Route each alert, check the sender may reach its service, store; the inbox's consumer applies it."""
    catalog = current_app.extensions["incidents"].catalog
    signed = auth.GRAFANA_SIGNATURE in request.headers  # over the size limit, get_data answers 413
    allowed = auth.services_for_webhook(catalog, request.headers, request.get_data(cache=True) if signed else b"")
    body, raw = json_body()
    g.source = alertmanager.source_of(body)
    routed = alertmanager.batches_for(body, catalog)
    refused = sorted({batch.service for batch in routed} - allowed)
    if refused:
        raise Problem(403, f"these credentials may not send alerts to service {', '.join(refused)}")
    request_id = _accept(g.source, raw, body["groupKey"], routed)
    return {"status": "success", "request_id": request_id}


@bp.post("/v2/enqueue")
@bp.response(202, answers.EventAnswer, description="Stored")
@operation(security=NONE, errors=EVENT_ERRORS, requestBody=body_doc(pagerduty.EventSchema))
def pagerduty_enqueue():
    """PagerDuty Events API v2: the routing_key is one of a service's integration_keys.

    202 with the dedup_key, or 400 `invalid event` with its errors."""
    g.source = "pagerduty"
    catalog = current_app.extensions["incidents"].catalog
    body, raw = json_body()
    now = datetime.now(UTC)
    event = _parse_event(body, pagerduty.key_for(raw, now))
    service = auth.service_for_routing_key(catalog, event.routing_key)
    if service is None:
        raise InvalidEvent(["Invalid routing key"])
    routed, _ = pagerduty.batches_for(event, service)
    request_id = _accept("pagerduty", raw, event.dedup_key, routed, now=now)
    return {"status": "success", "message": "Event processed", "dedup_key": event.dedup_key, "request_id": request_id}


def _parse_event(body, generated_key: str) -> pagerduty.Event:
    try:
        return pagerduty.parse(body, generated_key=generated_key)
    except ValidationError as error:
        raise InvalidEvent([f"{path}: {reason}" for path, reason in invalid_fields(error).items()]) from None


def _accept(source: str, raw: bytes, group_key: str, routed: list[AlertBatch], *, now: datetime | None = None) -> str:
    """Store the request as received at `now` (the raw row's received_at: see pagerduty.key_for)."""
    request_id = inbox.accept(source, raw, group_key, now=now or datetime.now(UTC))
    metrics.ALERTS_RECEIVED.labels(source).inc(sum(len(batch.alerts) for batch in routed))
    return request_id


@bp.before_request
def start_clock():
    """Time the request (change intake shares this)."""
    g.started = time.perf_counter()


@bp.after_request
def count_request(response):
    """Count the request by source and outcome, and its latency."""
    source = g.get("source") or ("pagerduty" if request.path.startswith("/v2/") else "alertmanager")
    metrics.REQUESTS.labels(source, _outcome(response.status_code)).inc()
    metrics.LATENCY.labels(source).observe(time.perf_counter() - g.started)
    return response


def _outcome(status: int) -> str:
    names = {
        400: "invalid",
        401: "unauthenticated",
        403: "forbidden",
        413: "too_large",
        415: "unsupported_media_type",
        503: "unavailable",
    }
    return "accepted" if status < 300 else names.get(status, f"http_{status}")
