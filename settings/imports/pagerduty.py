"""PagerDuty's schedules and escalation policies as ours.

The export is `{"schedules": [...], "escalation_policies": [...], "users": [...]}`: each schedule as
`GET /schedules/{id}` answers it, each policy as `GET /escalation_policies` lists it, the users as `GET /users`
lists them (PagerDuty REST API v2, github.com/PagerDuty/api-schema `reference/REST/openapiv3.json`: Schedule,
ScheduleLayer, Restriction, EscalationPolicy, EscalationRule, User).

- `schedule_layers` comes highest layer first (the API lists Layer 3, Layer 2, Layer 1; Grafana OnCall's
  PagerDuty migrator reads it so), and a higher layer wins where it has someone ("the lowest layer [in the
  web page] always takes precedence", PagerDuty's Schedule Basics): ours are the list reversed, the later
  winning.
- `rotation_virtual_start` is where turn 0 began; nobody is on call on a layer before its `start`.
- A restriction (`daily_restriction`, `weekly_restriction` with ISO `start_day_of_week`, 1 is Monday) is a
  span from `start_time_of_day` lasting `duration_seconds`, in the schedule's time zone; it hides time and
  does not move turns.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from incidents.policy import EscalationPolicy, Level, Target
from incidents.schedules import Schedule
from settings.imports.imported import Imported, Notes, Users, loaded, our_names
from settings.imports.rotations import Rotation, layer, windows
from settings.schedule_schemas import TimeZone

VENDOR = "PagerDuty"


class _Loose(Schema):
    class Meta:
        unknown = EXCLUDE  # an API answer carries far more than we read


class _Reference(_Loose):
    id = fields.String(required=True)
    type = fields.String(load_default="")


class _LayerUser(_Loose):
    user = fields.Nested(_Reference, required=True)


class _Restriction(_Loose):
    type = fields.String(required=True, validate=validate.OneOf(["daily_restriction", "weekly_restriction"]))
    start_time_of_day = fields.Time(required=True)
    duration_seconds = fields.Integer(required=True, validate=validate.Range(1, 7 * 86400))
    start_day_of_week = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 7))

    @validates_schema
    def weekly_has_a_day(self, data, **kwargs):
        if data["type"] == "weekly_restriction" and data["start_day_of_week"] is None:
            raise ValidationError("a weekly_restriction needs its start_day_of_week", "start_day_of_week")


class _Layer(_Loose):
    name = fields.String(load_default="layer")
    start = fields.AwareDateTime(required=True)
    end = fields.AwareDateTime(load_default=None, allow_none=True)
    rotation_virtual_start = fields.AwareDateTime(required=True)
    rotation_turn_length_seconds = fields.Integer(required=True, validate=validate.Range(min=1))
    users = fields.List(fields.Nested(_LayerUser), required=True)
    restrictions = fields.List(fields.Nested(_Restriction), load_default=list)


class _Schedule(_Loose):
    id = fields.String(required=True)
    name = fields.String(required=True)
    time_zone = TimeZone(required=True)
    schedule_layers = fields.List(fields.Nested(_Layer), required=True)


class _Rule(_Loose):
    escalation_delay_in_minutes = fields.Integer(required=True, validate=validate.Range(min=0))
    targets = fields.List(fields.Nested(_Reference), required=True)
    escalation_rule_assignment_strategy = fields.Raw(load_default=None)


class _Policy(_Loose):
    id = fields.String(required=True)
    name = fields.String(required=True)
    num_loops = fields.Integer(load_default=0, validate=validate.Range(min=0))
    escalation_rules = fields.List(fields.Nested(_Rule), required=True)


class _User(_Loose):
    id = fields.String(required=True)
    email = fields.String(load_default="")


class ExportSchema(_Loose):
    schedules = fields.List(fields.Nested(_Schedule), required=True)
    escalation_policies = fields.List(fields.Nested(_Policy), load_default=list)
    users = fields.List(fields.Nested(_User), required=True)


def convert(export: dict, people, now: datetime) -> Imported:
    """PagerDuty's export as our schedules and policies; `now` decides which layers have ended."""
    data, notes = loaded(ExportSchema(), export), Notes()
    users = Users(VENDOR, {u["id"]: u["email"] for u in data["users"]}, people, notes)
    names = our_names([s["name"] for s in data["schedules"]])
    built = {s["id"]: _schedule(s, name, users, now, notes) for s, name in zip(data["schedules"], names, strict=True)}
    kept = {source_id: schedule for source_id, schedule in built.items() if schedule}
    ids = {source_id: schedule.name for source_id, schedule in kept.items()}
    policies = [(p["name"], _policy(p, ids, users, notes)) for p in data["escalation_policies"]]
    return Imported(list(kept.values()), [(n, p) for n, p in policies if p], notes)


def _schedule(source: dict, name: str, users: Users, now: datetime, notes: Notes) -> Schedule | None:
    zone = ZoneInfo(source["time_zone"])
    layers = []
    for item in reversed(source["schedule_layers"]):  # highest first at the source; ours: the later wins
        where = f'schedule "{source["name"]}", layer "{item["name"]}"'
        length = timedelta(seconds=item["rotation_turn_length_seconds"])
        people = tuple(users.name(u["user"]["id"]) for u in item["users"])
        spans = _spans(item["restrictions"], where, notes)
        rotation = Rotation(
            where, item["name"], item["rotation_virtual_start"], item["start"], item["end"], length, people, spans
        )
        layers.append(layer(rotation, zone, now, notes))
    kept = tuple(x for x in layers if x)
    if not kept:
        notes.warn(f'schedule "{source["name"]}": no layer left to import: left out')
        return None
    return Schedule(name, source["time_zone"], kept)


def _spans(restrictions: list[dict], where: str, notes: Notes):
    """PagerDuty's restrictions as our windows: a daily one on each day of the week."""
    spans = []
    for r in restrictions:
        start, length = r["start_time_of_day"], timedelta(seconds=r["duration_seconds"])
        if start.second or r["duration_seconds"] % 60:
            notes.warn(f"{where}: a restriction's seconds are dropped (ours are whole minutes)")
            start, length = start.replace(second=0), timedelta(minutes=r["duration_seconds"] // 60)
        days = range(7) if r["type"] == "daily_restriction" else [r["start_day_of_week"] - 1]
        spans += [(day, start, length) for day in days]
    return windows(spans)


def _policy(source: dict, schedules: dict[str, str], users: Users, notes: Notes) -> EscalationPolicy | None:
    where = f'escalation policy "{source["name"]}"'
    levels = []
    for n, rule in enumerate(source["escalation_rules"], start=1):
        targets = tuple(t for t in (_target(t, schedules, users, where, notes) for t in rule["targets"]) if t)
        if _strategy(rule["escalation_rule_assignment_strategy"]) not in (None, "assign_to_everyone"):
            notes.warn(f"{where}, rule {n}: its assignment strategy is dropped: every target is paged")
        if not targets:
            notes.warn(f"{where}, rule {n}: no target left: left out")
            continue
        levels.append(Level(targets, timedelta(minutes=rule["escalation_delay_in_minutes"])))
    if not levels:
        notes.warn(f"{where}: no rule left: left out")
        return None
    if source["num_loops"] > 9:
        notes.warn(f"{where}: num_loops {source['num_loops']} is more than our repeat allows: 9")
    return EscalationPolicy(tuple(levels), min(source["num_loops"], 9))


def _strategy(value) -> str | None:
    """The rule's assignment strategy: a string in the EscalationRule schema, `[{"type": ...}]` in its example."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0].get("type")
    return value or None


def _target(target: dict, schedules: dict[str, str], users: Users, where: str, notes: Notes) -> Target | None:
    kind = target["type"].removesuffix("_reference")
    if kind == "schedule":
        if target["id"] in schedules:
            return Target("schedule", schedules[target["id"]])
        notes.warn(f"{where}: schedule {target['id']} is not imported: left out")
        return None
    if kind == "user":
        name = users.name(target["id"])
        return Target("user", name) if name else None
    notes.warn(f"{where}: a target of type {target['type']} is left out")
    return None
