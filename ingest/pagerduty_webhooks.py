"""PagerDuty V3 webhooks (docs/contracts.md, "PagerDuty V3 webhooks"): acknowledgements and resolutions made in
PagerDuty come back to our incident, found through the page's `incident_key` (our dedup key)."""

import hashlib
import hmac
import re
from datetime import UTC, datetime

from flask import current_app, request
from marshmallow import EXCLUDE, Schema, fields

from commands.escalation import requested
from incidents.actors import Actor
from ingest import answers
from ingest.documented import Blueprint, body_doc, operation
from ingest.errors import Problem
from ingest.requests import json_body
from store.pages import incident_for_dedup_key

bp = Blueprint("pagerduty_webhooks", __name__)
SIGNATURE = re.compile(r"v1=([0-9a-fA-F]{64})")  # one part of the comma-separated header


class _Loose(Schema):
    class Meta:
        unknown = EXCLUDE


class AgentSchema(_Loose):
    summary = fields.String(load_default=None)


class DataSchema(_Loose):
    incident_key = fields.String(load_default=None, allow_none=True)


class EventSchema(_Loose):
    id = fields.String(load_default="")
    event_type = fields.String(required=True)
    agent = fields.Nested(AgentSchema, load_default=dict, allow_none=True)
    data = fields.Nested(DataSchema, required=True)


class WebhookSchema(_Loose):
    event = fields.Nested(EventSchema, required=True)


# The event types we act on, and what each asks of our incident; others are accepted and ignored.
ACTIONS = {
    "incident.acknowledged": "acknowledge",
    "incident.unacknowledged": "unacknowledge",
    "incident.resolved": "resolve",
}


@bp.post("/webhooks/pagerduty")
@bp.response(202, answers.PagerDutyWebhookAnswer, description="Applied or ignored")
@operation(security=[{"pagerdutySignature": []}], errors=(400, 403, 413, 415, 503), requestBody=body_doc(WebhookSchema))
def pagerduty_webhook():
    """PagerDuty V3 webhooks: acknowledged, unacknowledged, resolved in PagerDuty.

    Verify the signature over the raw body, then apply the event once (repeats change nothing)."""
    state = current_app.extensions["incidents"]
    raw = request.get_data(cache=True)
    verify_signature(raw, request.headers.get("X-PagerDuty-Signature"), state.catalog.webhook_secrets)
    body, _ = json_body()
    event = WebhookSchema().load(body)["event"]
    actor = Actor.pagerduty((event["agent"] or {}).get("summary") or "")
    action = ACTIONS.get(event["event_type"])
    key = event["data"]["incident_key"]
    with state.engine.connect() as conn:
        incident_id = incident_for_dedup_key(conn, key) if action and key else None
    if incident_id is None:
        return {"status": "ignored"}
    now = datetime.now(UTC)
    decision = requested(state.engine, action, catalog=state.catalog, now=now, actor=actor, incident_id=incident_id)
    state.hand_over([decision] if decision else [])
    return {"status": "applied"}


def verify_signature(raw: bytes, header: str | None, secrets) -> None:
    """Accept when any `v1=` signature matches any secret; 400 if missing or malformed, 403 if none match."""
    parts = [SIGNATURE.fullmatch(part.strip()) for part in (header or "").split(",")]
    signatures = [part.group(1) for part in parts if part]
    if not signatures:
        raise Problem(400, "missing or malformed X-PagerDuty-Signature")
    expected = [hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest() for secret in secrets]
    matched = False
    for signature in signatures:  # every pair is compared: the time taken tells nothing
        for digest in expected:
            matched |= hmac.compare_digest(signature.lower(), digest)
    if not matched:
        raise Problem(403, "signature does not match")
