"""The shapes of our answers, as marshmallow schemas: they document the API in /openapi.json."""

from marshmallow import Schema, fields


class ErrorAnswer(Schema):
    """Any refusal: a message, and the wrong fields by path when the body was at fault."""

    error = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.String())


class InvalidEventAnswer(Schema):
    """PagerDuty Events API v2's own refusal shape (`/v2/enqueue` only)."""

    status = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.List(fields.String(), required=True)


class WebhookAnswer(Schema):
    status = fields.String(required=True)
    incidents = fields.List(fields.String(), required=True, metadata={"description": "INC-n of each group"})
    alerts = fields.Integer(required=True)


class EventAnswer(Schema):
    status = fields.String(required=True)
    message = fields.String(required=True)
    dedup_key = fields.String(required=True)


class PagerDutyWebhookAnswer(Schema):
    status = fields.String(required=True, metadata={"enum": ["applied", "ignored"]})


class Incident(Schema):
    number = fields.Integer(required=True)
    id = fields.String(required=True, metadata={"example": "INC-42"})
    title = fields.String(required=True)
    service = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["triggered", "acknowledged", "resolved"]})
    severity = fields.String(required=True, metadata={"enum": ["SEV1", "SEV2", "SEV3", "SEV4"]})
    source = fields.String(required=True)
    group_key = fields.String(required=True)
    opened_at = fields.String(required=True, allow_none=True)
    acknowledged_at = fields.String(required=True, allow_none=True)
    resolved_at = fields.String(required=True, allow_none=True)
    last_alert_at = fields.String(required=True, allow_none=True)
    alert_events = fields.Integer(required=True)


class IncidentActed(Incident):
    pages_queued = fields.Integer(required=True)


class AlertRow(Schema):
    fingerprint = fields.String(required=True)
    status = fields.String(required=True)
    severity = fields.String(required=True)
    summary = fields.String(required=True, allow_none=True)
    labels = fields.Dict(required=True)
    annotations = fields.Dict(required=True)
    generator_url = fields.String(required=True, allow_none=True)
    starts_at = fields.String(required=True, allow_none=True)
    ends_at = fields.String(required=True, allow_none=True)
    first_seen = fields.String(required=True, allow_none=True)
    last_seen = fields.String(required=True, allow_none=True)
    received_count = fields.Integer(required=True)


class TimelineEntry(Schema):
    at = fields.String(required=True)
    kind = fields.String(required=True)
    message = fields.String(required=True)
    data = fields.Raw(required=True, allow_none=True)


class IncidentDetail(Incident):
    alerts = fields.List(fields.Nested(AlertRow), required=True)
    timeline = fields.List(fields.Nested(TimelineEntry), required=True)


class IncidentList(Schema):
    incidents = fields.List(fields.Nested(Incident), required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    total = fields.Integer(required=True)
    more = fields.Boolean(required=True)


class Health(Schema):
    status = fields.String(required=True)


class Readiness(Schema):
    status = fields.String(required=True, metadata={"enum": ["ready", "not ready"]})
    checks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
