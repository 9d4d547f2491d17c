"""Fields every schema shares (alert sources, the API, the web forms): text the database can store,
RFC 3339 timestamps, links."""

import re
from datetime import UTC, datetime

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

_ZERO_TIME = "0001-01-01T00:00:00Z"
_RFC3339 = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)", re.IGNORECASE)


def check_text(value: str) -> str:
    """Reject what PostgreSQL cannot store: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValidationError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("must be valid Unicode text") from None
    return value


def check_json(value, depth: int = 0):
    """Check every string inside a free-form JSON value (PagerDuty `custom_details`)."""
    if depth > 32:
        raise ValidationError("nested too deeply")
    if isinstance(value, str):
        check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key)
            check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_json(item, depth + 1)
    return value


class Text(fields.String):
    """A string that the database can store."""

    def _deserialize(self, value, attr, data, **kwargs):
        return check_text(super()._deserialize(value, attr, data, **kwargs))


class StringMap(fields.Field):
    """A map of strings to strings, as labels and annotations are.

    One loop instead of fields.Dict(keys=Text(), values=Text()), which runs two fields per entry:
    every alert has two of these maps, and they are most of a webhook's validation time.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError("must be a map of strings to strings")
        errors = {}
        for key, item in value.items():
            try:
                if not isinstance(item, str):
                    raise ValidationError("must be a string")
                check_text(key)
                check_text(item)
            except ValidationError as error:
                errors[str(key)[:64]] = error.messages
        if errors:
            raise ValidationError(errors)
        return value


class Timestamp(fields.Field):
    """RFC 3339 with up to nanoseconds; Alertmanager's zero time means "no time" (None)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("must be an RFC 3339 timestamp string")
        if value == _ZERO_TIME:
            return None
        return parse_time(value)


def parse_time(value: str) -> datetime:
    """A UTC datetime from RFC 3339 (an offset may omit its colon, as PagerDuty's examples do); fractions
    past microseconds are dropped (Go sends nanoseconds)."""
    match = _RFC3339.fullmatch(value.strip())
    if not match:
        raise ValidationError(f'"{value[:64]}" is not an RFC 3339 timestamp')
    base, fraction, zone = match.groups()
    micro = (fraction or ".0")[1:7].ljust(6, "0")
    # PagerDuty's own examples write the offset without its colon ("+0000"), as ISO 8601's basic format does.
    zone = "+00:00" if zone.upper() == "Z" else f"{zone[:3]}:{zone[-2:]}"
    try:
        return datetime.fromisoformat(f"{base}.{micro}{zone}").astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValidationError(f'"{value[:64]}" is not a valid date and time') from None


class LinkSchema(Schema):
    """A link as PagerDuty's events name it: `{"href", "text"}` (Events v2 `links`, change events)."""

    class Meta:
        unknown = EXCLUDE

    href = Text(required=True, validate=validate.Length(1, 2048))
    text = Text(load_default=None, validate=validate.Length(max=1024))
