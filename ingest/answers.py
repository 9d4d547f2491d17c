"""The shapes of the intake's answers and of every refusal, as marshmallow schemas: they document
/openapi.json (api/answers.py holds the API's)."""

from marshmallow import Schema, fields

Time = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})


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
    """Stored in the inbox, to be applied: GET /api/requests/{request_id} tells what it became."""

    status = fields.String(required=True)
    request_id = fields.String(required=True)


class ChangeEventAnswer(Schema):
    """The Events APIs' acceptance: a change event's as it is, an alert event's with its dedup_key."""

    status = fields.String(required=True)
    message = fields.String(required=True)


class EventAnswer(ChangeEventAnswer):
    dedup_key = fields.String(required=True)
    request_id = fields.String(metadata={"description": "GET /api/requests/{request_id} tells what it became"})


class PagerDutyWebhookAnswer(Schema):
    status = fields.String(required=True, metadata={"enum": ["applied", "ignored"]})


class ChangeLink(Schema):
    href = fields.String(required=True)
    text = fields.String(required=True, allow_none=True)


class Change(Schema):
    id = fields.Integer(required=True)
    service = fields.String(required=True)
    summary = fields.String(required=True)
    source = fields.String(required=True, metadata={"enum": ["pagerduty_change", "deploy"]})
    origin = fields.String(required=True, allow_none=True)
    version = fields.String(required=True, allow_none=True)
    commit = fields.String(required=True, allow_none=True)
    author = fields.String(required=True, allow_none=True)
    links = fields.List(fields.Nested(ChangeLink), required=True)
    custom_details = fields.Raw(required=True, allow_none=True)
    changed_at = Time
    received_at = Time
    raw_request_id = fields.Integer(required=True, allow_none=True)


class DeployAnswer(Schema):
    status = fields.String(required=True)
    change = fields.Nested(Change, required=True)
