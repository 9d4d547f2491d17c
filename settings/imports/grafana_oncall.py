"""Grafana OnCall's schedules as ours.

The export is `{"schedules": [...], "on_call_shifts": [...], "users": [...]}` as its public API (v1) lists
them: `GET /api/v1/schedules` (a web or calendar schedule names its `shifts` by id), `GET /api/v1/on_call_shifts`
and `GET /api/v1/users` (`id`, `email`); the shapes are those of Grafana OnCall's serializers
(engine/apps/public_api/serializers/on_call_shifts.py, schedules_web.py, users.py).

- A shift's `start` is a wall-clock time in its `time_zone`, else in the schedule's; `rolling_users` take turns
  of `interval` hours, days or weeks from `start` (from `start_rotation_from_user_index`), each on call for
  `duration` seconds from its handoff, on the `by_day` days when there are some; nobody before
  `rotation_start`, nor after `until`.
- A daily shift with `by_day` rolls by the calendar: its events are every day's, filtered by `by_day`
  (RFC 5545 FREQ=DAILY with BYDAY), so a turn on a day left out is lost.
- A shift of a higher `level` wins over a lower one; at one level Grafana OnCall has both on call at once.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from marshmallow import EXCLUDE, Schema, fields, validate

from incidents.schedules import Schedule, instant
from settings.imports.imported import BadExport, Imported, Notes, Users, loaded, our_names
from settings.imports.rotations import DAY, WEEK, Rotation, layer, windows
from settings.schedule_schemas import TimeZone

VENDOR = "Grafana OnCall"
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
UNITS = {"hourly": timedelta(hours=1), "daily": DAY, "weekly": WEEK}
TYPES = ("single_event", "recurrent_event", "rolling_users", "override")


class _Loose(Schema):
    class Meta:
        unknown = EXCLUDE  # an API answer carries far more than we read


class _Shift(_Loose):
    id = fields.String(required=True)
    name = fields.String(load_default="shift")
    type = fields.String(required=True, validate=validate.OneOf(TYPES))
    time_zone = TimeZone(load_default=None, allow_none=True)
    level = fields.Integer(load_default=0)
    start = fields.NaiveDateTime(required=True)
    duration = fields.Integer(required=True, validate=validate.Range(min=1))
    rotation_start = fields.NaiveDateTime(load_default=None, allow_none=True)
    frequency = fields.String(load_default=None, allow_none=True, validate=validate.OneOf([*UNITS, "monthly"]))
    interval = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    until = fields.NaiveDateTime(load_default=None, allow_none=True)
    week_start = fields.String(load_default="SU", allow_none=True, validate=validate.OneOf(WEEKDAYS))
    by_day = fields.List(fields.String(validate=validate.OneOf(WEEKDAYS)), load_default=None, allow_none=True)
    by_month = fields.List(fields.Integer(), load_default=None, allow_none=True)
    by_monthday = fields.List(fields.Integer(), load_default=None, allow_none=True)
    users = fields.List(fields.String(), load_default=list, allow_none=True)
    rolling_users = fields.List(fields.List(fields.String()), load_default=None, allow_none=True)
    start_rotation_from_user_index = fields.Integer(load_default=None, allow_none=True)


class _Schedule(_Loose):
    id = fields.String(required=True)
    name = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(["web", "calendar", "ical"]))
    time_zone = TimeZone(load_default="UTC")
    shifts = fields.List(fields.String(), load_default=list, allow_none=True)


class _User(_Loose):
    id = fields.String(required=True)
    email = fields.String(load_default="")


class ExportSchema(_Loose):
    schedules = fields.List(fields.Nested(_Schedule), required=True)
    on_call_shifts = fields.List(fields.Nested(_Shift), required=True)
    users = fields.List(fields.Nested(_User), required=True)


def convert(export: dict, people, now: datetime) -> Imported:
    """Grafana OnCall's export as our schedules (it holds no escalation policies here)."""
    data, notes = loaded(ExportSchema(), export), Notes()
    users = Users(VENDOR, {u["id"]: u["email"] for u in data["users"]}, people, notes)
    shifts = {s["id"]: s for s in data["on_call_shifts"]}
    missing = [
        f'schedules[{i}].shifts[{n}]: no on_call_shift with id "{shift}" in the export'
        for i, s in enumerate(data["schedules"])
        for n, shift in enumerate(s["shifts"] or [])
        if shift not in shifts
    ]
    if missing:
        raise BadExport(missing)
    names = our_names([s["name"] for s in data["schedules"]])
    built = [_schedule(s, name, shifts, users, now, notes) for s, name in zip(data["schedules"], names, strict=True)]
    return Imported([s for s in built if s], [], notes)


def _schedule(source: dict, name: str, shifts: dict, users: Users, now: datetime, notes: Notes) -> Schedule | None:
    where = f'schedule "{source["name"]}"'
    if source["type"] == "ical" or not source["shifts"]:
        notes.warn(f"{where}: no shifts in the export (an iCal schedule has none): left out")
        return None
    mine = sorted((shifts[i] for i in source["shifts"]), key=lambda s: s["level"])  # a higher level wins: later
    levels = [s["level"] for s in mine if s["type"] in ("rolling_users", "recurrent_event")]
    if len(levels) != len(set(levels)):
        notes.warn(f"{where}: shifts of one level are on call at once at the source; here the later listed wins")
    zone = ZoneInfo(source["time_zone"])
    rotations = (_rotation(source, s, users, notes) for s in mine)
    layers = tuple(x for r in rotations if r and (x := layer(r, zone, now, notes)))
    if not layers:
        notes.warn(f"{where}: no shift left to import: left out")
        return None
    return Schedule(name, source["time_zone"], layers)


def _rotation(schedule: dict, shift: dict, users: Users, notes: Notes) -> Rotation | None:
    where = f'schedule "{schedule["name"]}", shift "{shift["name"]}"'
    if shift["type"] in ("single_event", "override"):
        notes.warn(f"{where}: a {shift['type']} is not a rotation (add it as an override here): left out")
        return None
    if shift["frequency"] in (None, "monthly") or shift["by_month"] or shift["by_monthday"]:
        notes.warn(f"{where}: repeats by month or not at all, which our layers cannot: left out")
        return None
    zone_name = shift["time_zone"] or schedule["time_zone"]
    if zone_name != schedule["time_zone"]:
        notes.warn(f"{where}: its time zone {zone_name} is not the schedule's: handoffs follow the schedule's clock")
    zone = ZoneInfo(zone_name)
    groups = _groups(shift)
    if any(len(group) > 1 for group in groups):
        notes.warn(f"{where}: several people are on call together at the source; here the first of each only")
    people = tuple(users.name(group[0]) if group else None for group in groups)
    length = UNITS[shift["frequency"]] * (shift["interval"] or 1)
    start = instant(shift["start"], zone)
    begins = instant(shift["rotation_start"], zone) if shift["rotation_start"] else start
    until = instant(shift["until"], zone) if shift["until"] else None
    spans = _windows(shift, length, len(groups), where, notes)
    return Rotation(where, shift["name"], start, max(start, begins), until, length, people, spans)


def _groups(shift: dict) -> list[list[str]]:
    """Who takes each turn, in order: the rolling users from the starting index, or a recurrent event's."""
    if shift["type"] == "recurrent_event":
        return [shift["users"] or []]
    groups, first = shift["rolling_users"] or [], shift["start_rotation_from_user_index"] or 0
    return groups[first:] + groups[:first]


def _windows(shift: dict, length: timedelta, turns: int, where: str, notes: Notes):
    """The hours of each turn a shift has someone on call, as our windows: `by_day` days from the start's time
    for `duration`, or each turn's first `duration` when that is shorter than the turn."""
    start, duration = shift["start"], timedelta(seconds=shift["duration"])
    if shift["by_day"]:
        _check_by_day(shift, turns, where, notes)
        return windows([(WEEKDAYS.index(day), start.time(), min(duration, DAY)) for day in shift["by_day"]])
    if duration > length:
        notes.warn(f"{where}: its events outlast a turn at the source; here each ends at the next handoff")
    if duration >= length:
        return ()
    if length in (DAY, WEEK):
        days = range(7) if length == DAY else [start.weekday()]
        return windows([(day, start.time(), duration) for day in days])
    notes.warn(f"{where}: on call {shift['duration']} s of each turn at the source; here the whole turn")
    return ()


def _check_by_day(shift: dict, turns: int, where: str, notes: Notes):
    """Warn where `by_day` does not read as windows over turns by the calendar (see the module's docstring)."""
    first_days = [(shift["start"].weekday() + n) % 7 for n in range(turns)]
    if shift["duration"] > DAY.total_seconds():
        notes.warn(f"{where}: an event on a by_day day longer than a day is cut to one day here")
    if shift["frequency"] == "daily" and (
        (shift["interval"] or 1) > 1 or any(WEEKDAYS[d] not in shift["by_day"] for d in first_days)
    ):
        notes.warn(
            f"{where}: Grafana OnCall starts each rolling user on the next by_day day, so with these days, start "
            "and interval two can be on call at once there; here one turn per day, shown on the by_day days"
        )
    if shift["frequency"] == "weekly" and WEEKDAYS[shift["start"].weekday()] != shift["week_start"]:
        notes.warn(f"{where}: weekly turns hand off on week_start at the source; here on the start's weekday")
    if shift["frequency"] == "hourly":
        notes.warn(f"{where}: by_day on an hourly shift is read as the days each turn may be on call")
