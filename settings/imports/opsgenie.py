"""Opsgenie's schedules as ours.

The export is `{"schedules": [...], "users": [...]}`: each schedule as `GET /v2/schedules/{id}` answers it,
with its `rotations` (Schedule API and Schedule Rotation API, docs.opsgenie.com/docs/schedule-api and
/docs/schedule-rotation-api: `type` daily, weekly or hourly, `length`, `startDate`, `endDate`, `participants`
of type user, team, escalation or none, `timeRestriction` of type `time-of-day` with one `restriction` or
`weekday-and-time-of-day` with `restrictions`), the users as `GET /v2/users` lists them (`id`, `username`,
which is the email).

- A rotation begins at `startDate` with its first participant; a restriction hides time and does not move
  turns.
- Where rotations overlap Opsgenie has each one's participant on call at once; ours has one person, the
  later rotation's.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from incidents.schedules import Schedule
from settings.imports.imported import Imported, Notes, Users, loaded, our_names
from settings.imports.rotations import DAY, WEEK, Rotation, layer, windows
from settings.schedule_schemas import TimeZone

VENDOR = "Opsgenie"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
UNITS = {"hourly": timedelta(hours=1), "daily": DAY, "weekly": WEEK}


class _Loose(Schema):
    class Meta:
        unknown = EXCLUDE  # an API answer carries far more than we read


class _Participant(_Loose):
    type = fields.String(required=True, validate=validate.OneOf(["user", "team", "escalation", "none"]))
    id = fields.String(load_default=None)
    username = fields.String(load_default=None)
    name = fields.String(load_default=None)


class _TimeOfDay(_Loose):
    startHour = fields.Integer(required=True, validate=validate.Range(0, 23))
    startMin = fields.Integer(required=True, validate=validate.Range(0, 59))
    endHour = fields.Integer(required=True, validate=validate.Range(0, 23))
    endMin = fields.Integer(required=True, validate=validate.Range(0, 59))


class _WeekdayAndTimeOfDay(_TimeOfDay):
    startDay = fields.String(required=True, validate=validate.OneOf(WEEKDAYS))
    endDay = fields.String(required=True, validate=validate.OneOf(WEEKDAYS))


class _TimeRestriction(_Loose):
    type = fields.String(required=True, validate=validate.OneOf(["time-of-day", "weekday-and-time-of-day"]))
    restriction = fields.Nested(_TimeOfDay, load_default=None)
    restrictions = fields.List(fields.Nested(_WeekdayAndTimeOfDay), load_default=None)

    @validates_schema
    def has_its_restrictions(self, data, **kwargs):
        if data["type"] == "time-of-day" and data["restriction"] is None:
            raise ValidationError("a time-of-day restriction needs its `restriction`", "restriction")
        if data["type"] == "weekday-and-time-of-day" and not data["restrictions"]:
            raise ValidationError("a weekday-and-time-of-day restriction needs its `restrictions`", "restrictions")


class _Rotation(_Loose):
    name = fields.String(load_default="rotation")
    startDate = fields.AwareDateTime(required=True)
    endDate = fields.AwareDateTime(load_default=None, allow_none=True)
    type = fields.String(required=True, validate=validate.OneOf(sorted(UNITS)))
    length = fields.Integer(load_default=1, validate=validate.Range(min=1))
    participants = fields.List(fields.Nested(_Participant), required=True)
    timeRestriction = fields.Nested(_TimeRestriction, load_default=None, allow_none=True)


class _Schedule(_Loose):
    id = fields.String(required=True)
    name = fields.String(required=True)
    timezone = TimeZone(required=True)
    enabled = fields.Boolean(load_default=True)
    rotations = fields.List(fields.Nested(_Rotation), required=True)


class _User(_Loose):
    id = fields.String(required=True)
    username = fields.String(required=True)


class ExportSchema(_Loose):
    schedules = fields.List(fields.Nested(_Schedule), required=True)
    users = fields.List(fields.Nested(_User), required=True)


def convert(export: dict, people, now: datetime) -> Imported:
    """Opsgenie's export as our schedules (it holds no escalation policies); `now` decides what has ended."""
    data, notes = loaded(ExportSchema(), export), Notes()
    emails = {p["id"]: p["username"] for s in data["schedules"] for r in s["rotations"] for p in r["participants"]}
    emails |= {u["id"]: u["username"] for u in data["users"]}
    users = Users(VENDOR, {k: v for k, v in emails.items() if k and v}, people, notes)
    names = our_names([s["name"] for s in data["schedules"]])
    schedules = [_schedule(s, name, users, now, notes) for s, name in zip(data["schedules"], names, strict=True)]
    return Imported([s for s in schedules if s], [], notes)


def _schedule(source: dict, name: str, users: Users, now: datetime, notes: Notes) -> Schedule | None:
    where = f'schedule "{source["name"]}"'
    if not source["enabled"]:
        notes.warn(f"{where}: disabled at the source: left out")
        return None
    if len(source["rotations"]) > 1:
        notes.warn(
            f"{where}: where its rotations overlap Opsgenie has each one's participant on call at once; "
            "here the later rotation's only"
        )
    zone = ZoneInfo(source["timezone"])
    layers = tuple(x for r in source["rotations"] if (x := layer(_rotation(source, r, users, notes), zone, now, notes)))
    if not layers:
        notes.warn(f"{where}: no rotation left to import: left out")
        return None
    return Schedule(name, source["timezone"], layers)


def _rotation(schedule: dict, source: dict, users: Users, notes: Notes) -> Rotation:
    where = f'schedule "{schedule["name"]}", rotation "{source["name"]}"'
    if source["type"] == "hourly":
        notes.warn(
            f"{where}: an hourly rotation hands off on the wall clock here, so the turn over a clock change is an "
            "hour shorter or longer"
        )
    people = tuple(_person(p, users, where, notes) for p in source["participants"])
    length = UNITS[source["type"]] * source["length"]
    start, end = source["startDate"], source["endDate"]
    return Rotation(where, source["name"], start, start, end, length, people, _windows(source["timeRestriction"]))


def _person(participant: dict, users: Users, where: str, notes: Notes) -> str | None:
    if participant["type"] == "user":
        return users.name(participant["id"] or participant["username"])
    notes.warn(f"{where}: a participant of type {participant['type']} is not a person: its turns are left out")
    return None


def _windows(restriction: dict | None):
    """Opsgenie's time restriction as our windows: `time-of-day` every day; each of `weekday-and-time-of-day`
    one span from its start day and time to its end day and time."""
    if restriction is None:
        return ()
    if restriction["type"] == "time-of-day":
        start, end = _times(restriction["restriction"])
        return windows([(day, start, _length(0, start, 0, end, DAY)) for day in range(7)])
    spans = []
    for r in restriction["restrictions"]:
        start, end = _times(r)
        first, last = WEEKDAYS.index(r["startDay"]), WEEKDAYS.index(r["endDay"])
        spans.append((first, start, _length(first, start, last, end, WEEK)))
    return windows(spans)


def _times(r: dict) -> tuple[time, time]:
    return time(r["startHour"], r["startMin"]), time(r["endHour"], r["endMin"])


def _length(first: int, start: time, last: int, end: time, cycle: timedelta) -> timedelta:
    """From day `first` at `start` to the next day `last` at `end`; an end at or before the start is a whole
    `cycle` later (22:00-06:00 ends the next morning; Monday 09:00 to Monday 09:00 is the whole week)."""
    begin = timedelta(days=first, hours=start.hour, minutes=start.minute)
    length = timedelta(days=last, hours=end.hour, minutes=end.minute) - begin
    return length if length > timedelta(0) else length + cycle
