"""config/schedules.yaml's shape (issue #16): schedules of layers, times of day, time zones."""

import re
from datetime import datetime, time, timedelta

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from incidents.schedules import DAYS, Layer, Window
from settings.schemas import ChatSchema, Duration, TimeZone

NAME_RULE = "lowercase letters, digits and dashes, starting with a letter or digit (sre-primary)"


class TimeOfDay(fields.Field):
    """A time of day written as a string, `"09:00"`. YAML reads an unquoted 9:00 or 18:00 as a number (540,
    1080: minutes, in base 60): that mistake is named."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            hours, minutes = divmod(value, 60)
            raise ValidationError(
                f'write a time of day in quotes, "{hours:02d}:{minutes:02d}": YAML reads {hours}:{minutes:02d} '
                f"unquoted as the number {value}"
            )
        match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", str(value))
        if not match:
            raise ValidationError(f'"{value}" is not a time of day ("09:00")')
        return time(int(match[1]), int(match[2]))


class LocalTime(fields.Field):
    """A local date and time without an offset, `2027-03-01T09:00` (the schedule's time zone gives it one)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, datetime):
            parsed = value
        else:
            try:
                parsed = datetime.fromisoformat(str(value))
            except ValueError:
                raise ValidationError(f'"{value}" is not a local date and time ("2027-03-01T09:00")') from None
        if parsed.tzinfo is not None:
            raise ValidationError("a local time, without an offset: the schedule's time_zone places it")
        return parsed


class WindowSchema(Schema):
    days = fields.List(fields.String(validate=validate.OneOf(DAYS)), required=True, validate=validate.Length(min=1))
    start = TimeOfDay(required=True, data_key="from")
    end = TimeOfDay(required=True, data_key="to")

    @post_load
    def make(self, data, **kwargs):
        return Window(frozenset(DAYS.index(day) for day in data["days"]), data["start"], data["end"])


class LayerSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 64))
    start = LocalTime(required=True)
    rotation = Duration(
        required=True, validate=validate.Range(timedelta(hours=1), None, error="must be at least 1 hour")
    )
    participants = fields.List(fields.String(validate=validate.Length(min=1)), required=True)
    restrictions = fields.List(fields.Nested(WindowSchema), load_default=list)

    @validates_schema
    def someone(self, data, **kwargs):
        if not data.get("participants"):
            raise ValidationError("name at least one participant", "participants")

    @post_load
    def make(self, data, **kwargs):
        windows = tuple(data["restrictions"])
        return Layer(data["name"], data["start"], data["rotation"], tuple(data["participants"]), windows)


class ScheduleSchema(Schema):
    name = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$", error=NAME_RULE))
    time_zone = TimeZone(load_default="UTC")
    layers = fields.List(fields.Nested(LayerSchema), required=True, validate=validate.Length(min=1))
    team = fields.String(load_default=None)
    chat = fields.Nested(ChatSchema, load_default=None)
    handoff_notice = Duration(load_default=lambda: timedelta(hours=1))


class SchedulesFileSchema(Schema):
    """`config/schedules.yaml` (optional)."""

    schedules = fields.List(fields.Nested(ScheduleSchema), load_default=list)

    @validates_schema
    def names_once(self, data, **kwargs):
        names = [schedule["name"] for schedule in data.get("schedules", [])]
        if len(names) != len(set(names)):
            raise ValidationError("each schedule needs a name of its own", "schedules")
