"""The query strings of the API's lists, as marshmallow schemas: flask-smorest loads and documents them."""

from marshmallow import Schema, ValidationError, fields, validate, validates

from commands.fields import Timestamp
from incidents.severity import Severity

STATUSES = ("triggered", "acknowledged", "resolved")


class Values(fields.List):
    """A repeatable or comma-separated parameter (`?service=a,b&service=c`)."""

    def __init__(self, **kwargs):
        super().__init__(fields.String(), load_default=(), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> tuple[str, ...]:
        values = [part for raw in value for part in str(raw).split(",") if part]
        if any("\x00" in part for part in values):
            raise ValidationError("must not contain NUL characters")  # PostgreSQL cannot compare them
        return tuple(super()._deserialize(values, attr, data, **kwargs))


def _bounded(low: int, high: int, default: int):
    return fields.Integer(
        load_default=default,
        strict=False,
        validate=validate.Range(low, high, error=f"must be an integer from {low} to {high}"),
        metadata={"default": default},
    )


class IncidentQuery(Schema):
    status = Values(metadata={"description": "triggered, acknowledged, resolved; repeatable or comma-separated"})
    severity = Values(metadata={"description": "SEV1..SEV4, P1..P5; repeatable or comma-separated"})
    service = Values(metadata={"description": "repeatable or comma-separated"})
    limit = _bounded(1, 100, 25)
    offset = _bounded(0, 10**9, 0)

    @validates("status")
    def known_status(self, values, **kwargs):
        if any(value not in STATUSES for value in values):
            raise ValidationError(f"must be one of {', '.join(STATUSES)}")

    @validates("severity")
    def known_severity(self, values, **kwargs):
        for value in values:
            try:
                Severity.parse(value)
            except ValueError as error:
                raise ValidationError(str(error)) from None


class ChangeQuery(Schema):
    service = Values(metadata={"description": "repeatable or comma-separated; default every service"})
    since = Timestamp(metadata={"description": "RFC 3339; default a day ago"})
    until = Timestamp(metadata={"description": "RFC 3339; default none"})
    limit = _bounded(1, 1000, 100)


class OnCallQuery(Schema):
    schedule = Values(metadata={"description": "repeatable or comma-separated; default every schedule"})
    since = Timestamp(metadata={"description": "RFC 3339; default now; within a year of now"})
    until = Timestamp(metadata={"description": "RFC 3339; default `since`; at most 90 days after it"})
    service = fields.String(metadata={"description": "each level of its policy with who is on call now"})


class WindowQuery(Schema):
    all = fields.String(load_default="0", validate=validate.OneOf(["0", "1"]), metadata={"description": "1: every one"})


class ReportQuery(Schema):
    since = fields.String(metadata={"description": "30d, 12h, a date or RFC 3339; default 30 days ago"})
    until = fields.String(metadata={"description": "as `since`; default now"})
    service = Values(metadata={"description": "repeatable or comma-separated"})
    severity = Values(metadata={"description": "repeatable or comma-separated"})


class LoadQuery(Schema):
    since = fields.String(metadata={"description": "30d, 12h, a date or RFC 3339; default 30 days ago"})
    until = fields.String(metadata={"description": "as `since`; default now"})
