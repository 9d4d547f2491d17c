"""PagerDuty Events API v2 (`POST /v2/enqueue`): trigger, acknowledge and resolve.

Upstream contract: PagerDuty's "Send an Alert Event" reference (developer.pagerduty.com);
field by field in docs/contracts.md, "PagerDuty Events API v2". The `routing_key` names our service.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from commands.fields import LinkSchema, Text, Timestamp, check_json
from incidents.alerts import FIRING, Alert, AlertBatch

SEVERITIES = ["critical", "error", "warning", "info"]


class PayloadSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    summary = Text(required=True, validate=validate.Length(1, 1024))
    source = Text(required=True, validate=validate.Length(1, 255))
    severity = Text(required=True, validate=validate.OneOf(SEVERITIES))
    timestamp = Timestamp(load_default=None)
    component = Text(load_default=None)
    group = Text(load_default=None)
    class_ = Text(data_key="class", load_default=None)
    custom_details = fields.Raw(load_default=None, validate=check_json)


class EventSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # images, client, client_url: accepted, not used yet

    routing_key = Text(required=True, validate=validate.Length(1, 255))
    event_action = Text(required=True, validate=validate.OneOf(["trigger", "acknowledge", "resolve"]))
    dedup_key = Text(load_default=None, validate=validate.Length(1, 255))
    payload = fields.Nested(PayloadSchema, load_default=None)
    links = fields.List(fields.Nested(LinkSchema), load_default=list)

    @validates_schema
    def action_needs(self, data, **kwargs):
        if data.get("event_action") == "trigger" and data.get("payload") is None:
            raise ValidationError("Missing data for required field.", "payload")
        if data.get("event_action") in ("acknowledge", "resolve") and not data.get("dedup_key"):
            raise ValidationError("Missing data for required field.", "dedup_key")


EVENT = EventSchema()  # built once; loading does not change it


@dataclass(frozen=True)
class Event:
    """A validated event: what to do to which group, and the alert a trigger carries."""

    routing_key: str
    action: str
    dedup_key: str
    alert: Alert | None


def parse(body, *, generated_key: str | None = None) -> Event:
    """The event, normalised; raises marshmallow.ValidationError naming the field.

    A trigger without dedup_key gets `generated_key` (see `key_for`), else a random one.
    """
    data = EVENT.load(body)
    dedup_key = data["dedup_key"] or generated_key or uuid.uuid4().hex  # PagerDuty generates one too
    alert = _alert(data["payload"], dedup_key, data["links"]) if data["event_action"] == "trigger" else None
    return Event(data["routing_key"], data["event_action"], dedup_key, alert)


def key_for(raw: bytes, received_at: datetime) -> str:
    """The dedup_key of a trigger sent without one, from the request as stored (body, receive time):
    `incidents replay` gives the replayed trigger the key that was answered the first time."""
    if received_at.tzinfo is None:  # SQLite hands back naive UTC times
        received_at = received_at.replace(tzinfo=UTC)
    stamp = received_at.astimezone(UTC).isoformat().encode()
    return hashlib.sha256(stamp + b"\0" + raw).hexdigest()[:32]


def batches_for(event: Event, service: str) -> tuple[list[AlertBatch], tuple[tuple[str, str], ...]]:
    """(alert batches, acknowledgements) that the event asks of `service`."""
    if event.action == "acknowledge":
        return [], ((service, event.dedup_key),)
    alerts = (event.alert,) if event.alert else ()
    return [AlertBatch(service, event.dedup_key, alerts, group_resolved=event.action == "resolve")], ()


def _alert(payload: dict, dedup_key: str, links: list) -> Alert:
    labels = {"source": payload["source"], "severity": payload["severity"]}
    labels.update(
        {
            key: payload[name]
            for key, name in (("component", "component"), ("group", "group"), ("class", "class_"))
            if payload[name]
        }
    )
    annotations = {"summary": payload["summary"]}
    if payload["custom_details"] is not None:
        annotations["custom_details"] = payload["custom_details"]
    if links:
        annotations["links"] = [{"href": link["href"], "text": link["text"] or ""} for link in links]
    return Alert(
        fingerprint=dedup_key,
        group_key=dedup_key,
        status=FIRING,
        labels=labels,
        annotations=annotations,
        summary=payload["summary"],
        starts_at=payload["timestamp"],
    )
