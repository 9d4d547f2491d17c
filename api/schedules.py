"""Schedules through the API: who is on call (PagerDuty's `/oncalls` shape), add and delete overrides.
Every call presents an API token."""

from datetime import UTC, datetime, timedelta

from flask import Response, g, jsonify

from api import answers
from api.queries import OnCallQuery
from commands import schedules as commands
from commands.schemas import OverrideSchema
from incidents.references import MAX_ID
from incidents.schedules import on_call, periods
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
    found = []
    for name in names:
        rules = state().catalog.schedules[name]
        found += [_entry(state().catalog, p, name) for p in periods(rules, since, until, asked[name], REACH)]
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
    out = []
    with state.engine.connect() as conn:
        for number, level in enumerate(service.escalation_policy.levels, 1):
            for target in level.targets:
                entry = {"escalation_level": number, "escalation_policy": {"service": service.name}}
                if target.kind == "schedule":
                    schedule = state.catalog.schedules[target.name]
                    asked = overrides.meeting(conn, target.name, now, now + timedelta(seconds=1))
                    person = on_call(schedule, now, asked)
                    entry |= {"schedule": {"name": target.name}}
                    entry |= (
                        {"user": {"name": person, "email": _email(state.catalog, person)}} if person else {"user": None}
                    )
                else:
                    entry |= {target.kind: {"name": target.name}}
                    if target.kind == "user":
                        entry["user"]["email"] = _email(state.catalog, target.name)
                out.append(entry)
    return out


def _email(catalog, name: str | None) -> str:
    person = catalog.people.get(name) if name else None
    return person.email if person else ""


def _context() -> dict:
    return {"catalog": state().catalog, "now": datetime.now(UTC), "actor": g.actor}
