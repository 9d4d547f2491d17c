"""Schedules through the API: who is on call (PagerDuty's `/oncalls` shape), add and delete overrides,
take the schedule now. Every call presents an API token."""

from datetime import UTC, datetime, timedelta

from flask import Response, g, jsonify

from api import answers
from api.queries import OnCallQuery
from commands import schedules as commands
from commands.oncall import levels_now
from commands.schemas import OverrideSchema, TakeSchema
from incidents.periods import periods
from incidents.references import MAX_ID
from incidents.utc import iso
from ingest.documented import ACTION_ERRORS, API_AUTH, LIST_ERRORS, READ_ERRORS, api_blueprint, operation, state
from ingest.errors import Problem
from store import overrides

bp = api_blueprint("schedules_api", __name__, url_prefix="/api")


@bp.get("/oncalls")
@bp.arguments(OnCallQuery, location="query", as_kwargs=True)
@bp.response(200, answers.OnCalls)
@operation(security=API_AUTH, errors=LIST_ERRORS)
def oncalls(schedule=(), since=None, until=None, service=None):
    """Who is on call: `schedule` (repeatable; default every one) from `since` to `until` (default now),
    each person's whole periods; or `service`: each level of its policy with who is on call now."""
    now = datetime.now(UTC)
    if service:
        return {"oncalls": _levels(state(), service, now)}
    names = schedule or tuple(state().catalog.schedules)
    unknown = [name for name in names if name not in state().catalog.schedules]
    if unknown:
        raise Problem(400, "invalid parameter", {"schedule": f'no schedule called "{unknown[0]}"'})
    since = since or now
    until = max(until or since, since + timedelta(seconds=1))
    if until - since > MAX_RANGE:
        raise Problem(400, "invalid parameter", {"until": "at most 90 days after `since`"})
    if not (now - HORIZON <= since and until <= now + HORIZON):
        raise Problem(400, "invalid parameter", {"since": "the range must lie within a year of now"})
    with state().engine.connect() as conn:
        asked = overrides.meeting_each(conn, names, since - REACH, until + REACH)
    found, catalog = [], state().catalog
    for name in names:
        found += [_entry(catalog, p, name) for p in periods(catalog.schedules[name], since, until, asked[name], REACH)]
    # Built as it is answered (strings and dicts): jsonify skips the schema's dump of thousands of entries.
    return jsonify(oncalls=sorted(found, key=lambda entry: (entry["start"], entry["schedule"]["name"])))


@bp.post("/schedules/<name>/overrides")
@bp.arguments(OverrideSchema)
@bp.response(201, answers.OverrideCreated)
@operation(security=API_AUTH, errors=ACTION_ERRORS)
def add_override(asked, name):
    """`{"user", "start", "end"}`: that person is on call for the schedule then, instead of its layers' person."""
    override_id = commands.add_override(state().engine, name, asked["user"], asked["start"], asked["end"], **_context())
    return {"id": override_id}


@bp.delete(f"/schedules/<name>/overrides/<int(max={MAX_ID}):override_id>")
@bp.response(204, description="Deleted")
@operation(security=API_AUTH, errors=READ_ERRORS)
def delete_override(name, override_id):
    """Delete an override: it stops counting."""
    commands.delete_override(state().engine, name, override_id, **_context())
    return Response(status=204)


@bp.post("/schedules/<name>/take")
@bp.arguments(TakeSchema)
@bp.response(201, answers.Taken)
@operation(security=API_AUTH, errors=ACTION_ERRORS)
def take(asked, name):
    """`{"user"}`: "I'll take it from here": that person is on call from now until the end of the current shift
    (nobody on call now: until the next person's shift starts, or 12 hours if nobody is in the next 14 days)."""
    taken = commands.take_now(state().engine, name, asked["user"], **_context())
    return {"id": taken.id, "user": taken.person, "start": iso(taken.start), "end": iso(taken.end)}


REACH = timedelta(days=90)  # how far a period is followed beyond the range asked
# PagerDuty's /oncalls answers at most 90 days at once; rotations are computed, not stored: within a year.
MAX_RANGE, HORIZON = timedelta(days=90), timedelta(days=366)


def _entry(catalog, period, schedule: str) -> dict:
    person = catalog.people.get(period.person)
    user = {"name": period.person, "email": person.email if person else ""}
    return {"user": user, "schedule": {"name": schedule}, "start": iso(period.start), "end": iso(period.end)}


def _levels(state, service_name: str, now: datetime) -> list[dict]:
    """Each level of the service's policy with who is on call on it now (a person named directly: always)."""
    service = next((s for s in state.catalog.services if s.name == service_name), None)
    if service is None:
        raise Problem(400, "invalid parameter", {"service": f'no service called "{service_name}"'})
    with state.engine.connect() as conn:
        found = levels_now(conn, state.catalog, service.escalation_policy, now)
    return [_level_entry(state.catalog, service.name, on) for on in found]


def _level_entry(catalog, service: str, on) -> dict:
    entry = {"escalation_level": on.level, "escalation_policy": {"service": service}}
    if on.target.kind == "team":
        return entry | {"team": {"name": on.target.name}}
    if on.target.kind == "schedule":
        entry |= {"schedule": {"name": on.target.name}}
    return entry | {"user": {"name": on.person, "email": _email(catalog, on.person)} if on.person else None}


def _email(catalog, name: str | None) -> str:
    person = catalog.people.get(name) if name else None
    return person.email if person else ""


def _context() -> dict:
    return {"catalog": state().catalog, "now": datetime.now(UTC), "actor": g.actor}
