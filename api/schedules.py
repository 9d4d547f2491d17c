"""Schedules through the API: who is on call (PagerDuty's `/oncalls` shape), add and delete overrides.
Every call presents an API token."""

from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, jsonify, request

from api.reads import query_time, query_values
from commands import schedules as commands
from commands.schemas import OverrideSchema
from incidents.actors import Actor
from incidents.references import MAX_ID
from incidents.schedules import on_call, periods
from incidents.utc import iso
from ingest import auth
from ingest.errors import Problem
from ingest.requests import json_body
from store import overrides

bp = Blueprint("schedules_api", __name__, url_prefix="/api")


@bp.get("/oncalls")
def oncalls():
    """Who is on call: `schedule` (repeatable; default every one) from `since` to `until` (default now),
    each person's whole periods; or `service`: each level of its policy with who is on call now."""
    _caller()
    state, now = current_app.extensions["incidents"], datetime.now(UTC)
    if request.args.get("service"):
        return jsonify(oncalls=_levels(state, request.args["service"], now))
    names = query_values("schedule") or tuple(state.catalog.schedules)
    unknown = [name for name in names if name not in state.catalog.schedules]
    if unknown:
        raise Problem(400, "invalid parameter", {"schedule": f'no schedule called "{unknown[0]}"'})
    since = query_time("since") or now
    until = max(query_time("until") or since, since + timedelta(seconds=1))
    if until - since > MAX_RANGE:
        raise Problem(400, "invalid parameter", {"until": "at most 90 days after `since`"})
    if not (now - HORIZON <= since and until <= now + HORIZON):
        raise Problem(400, "invalid parameter", {"since": "the range must lie within a year of now"})
    found = []
    with state.engine.connect() as conn:
        for name in names:
            asked = overrides.meeting(conn, name, since - REACH, until + REACH)
            schedule = state.catalog.schedules[name]
            found += [_entry(state.catalog, p, name) for p in periods(schedule, since, until, asked, REACH)]
    return jsonify(oncalls=sorted(found, key=lambda entry: (entry["start"], entry["schedule"]["name"])))


@bp.post("/schedules/<name>/overrides")
def add_override(name):
    """`{"user", "start", "end"}`: that person is on call for the schedule then; 201 with its id."""
    actor, state = _caller(), current_app.extensions["incidents"]
    body, _ = json_body()
    asked = OverrideSchema(catalog=state.catalog).load(body or {})
    override_id = commands.add_override(
        state.engine, name, asked["user"], asked["start"], asked["end"], **_context(actor)
    )
    return jsonify(id=override_id), 201


@bp.delete(f"/schedules/<name>/overrides/<int(max={MAX_ID}):override_id>")
def delete_override(name, override_id):
    """The override stops counting; 204."""
    actor = _caller()
    commands.delete_override(current_app.extensions["incidents"].engine, name, override_id, **_context(actor))
    return "", 204


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


def _context(actor: Actor) -> dict:
    return {"catalog": current_app.extensions["incidents"].catalog, "now": datetime.now(UTC), "actor": actor}


def _caller() -> Actor:
    catalog = current_app.extensions["incidents"].catalog
    return Actor.api(auth.api_caller(catalog, request.headers.get("Authorization")))
