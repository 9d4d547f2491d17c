"""Change intake: PagerDuty's Change Events API and our deploy webhook (docs/contracts-more.md)."""

from datetime import UTC, datetime

from flask import current_app, g, request
from marshmallow import ValidationError

from incidents.changes import Change
from incidents.utc import iso
from ingest import answers, auth, intake, metrics
from ingest.documented import DEPLOY_AUTH, EVENT_ERRORS, INTAKE_ERRORS, NONE, Blueprint, body_doc, operation
from ingest.errors import InvalidEvent, Problem, invalid_fields
from ingest.requests import json_body
from ingest.sources import changes
from store.changes import record_change

bp = Blueprint("change_intake", __name__)
bp.before_request(intake.start_clock)
bp.after_request(intake.count_request)


@bp.post("/v2/change/enqueue")
@bp.response(202, answers.ChangeEventAnswer, description="Stored")
@operation(security=NONE, errors=EVENT_ERRORS, requestBody=body_doc(changes.ChangeEventSchema))
def pagerduty_change():
    """PagerDuty Change Events API: the routing_key is one of a service's integration_keys.

    202 as PagerDuty answers, or 400 `invalid event` with its errors."""
    g.source = changes.PAGERDUTY_CHANGE
    body, raw = json_body()
    now = datetime.now(UTC)
    try:
        event = changes.parse(body, now=now)
    except ValidationError as error:
        raise InvalidEvent([f"{path}: {reason}" for path, reason in invalid_fields(error).items()]) from None
    service = auth.service_for_routing_key(current_app.extensions["incidents"].catalog, event.routing_key)
    if service is None:
        raise InvalidEvent(["Invalid routing key"])
    _record(event.for_service(service), raw, now)
    return {"status": "success", "message": "Change event processed"}


@bp.post("/webhooks/deploy")
@bp.response(201, answers.DeployAnswer, description="Stored")
@operation(security=DEPLOY_AUTH, errors=INTAKE_ERRORS, requestBody=body_doc(changes.DeploySchema))
def deploy_webhook():
    """A deploy: `version` or `commit` of a service the webhook credentials open.

    `service`, `version` or `commit`, `summary`, `author`, `link`, `time`."""
    g.source = changes.DEPLOY
    catalog = current_app.extensions["incidents"].catalog
    allowed = auth.services_for_webhook(catalog, request.headers, b"")
    body, raw = json_body()
    now = datetime.now(UTC)
    change = changes.parse_deploy(body, now=now)  # ValidationError: 400 naming the field (ingest/errors.py)
    if change.service not in {service.name for service in catalog.services}:
        raise Problem(400, "invalid body", {"service": f'no service called "{change.service[:128]}"'})
    if change.service not in allowed:
        raise Problem(403, f"these credentials may not record changes to service {change.service}")
    return {"status": "success", "change": change_json(_record(change, raw, now))}


def _record(change, raw: bytes, now: datetime):
    engine = current_app.extensions["incidents"].engine
    user_agent = request.user_agent.string
    stored = record_change(
        engine, change, body=raw, now=now, remote_addr=request.remote_addr or "", user_agent=user_agent
    )
    metrics.CHANGES_RECEIVED.labels(change.source).inc()
    return stored


def change_json(change: Change) -> dict:
    return {
        "id": change.id,
        "service": change.service,
        "summary": change.summary,
        "source": change.source,
        "origin": change.origin,
        "version": change.version,
        "commit": change.commit,
        "author": change.author,
        "links": [{"href": link.href, "text": link.text} for link in change.links],
        "custom_details": change.custom_details,
        "changed_at": iso(change.changed_at),
        "received_at": iso(change.received_at),
        "raw_request_id": change.raw_request_id,
    }
