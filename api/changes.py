"""The changes API: changes by service and time, and an incident's rollback candidates."""

from datetime import UTC, datetime, timedelta

from flask import g
from marshmallow import Schema, fields, validate

from api import answers
from api.queries import ChangeQuery
from commands.rollbacks import decide_rollback
from incidents.changes import RollbackCandidate
from incidents.references import incident_number
from incidents.rollbacks import NotACandidate, Rollback
from incidents.utc import iso
from ingest.change_intake import change_json
from ingest.documented import ACTION_ERRORS, API_AUTH, LIST_ERRORS, READ_ERRORS, api_blueprint, operation, state
from ingest.errors import Problem
from store.changes import candidates_for_incident, changes_for
from store.rollbacks import rollbacks_of

bp = api_blueprint("change_api", __name__, url_prefix="/api")
DEFAULT_SINCE = timedelta(days=1)


class RollbackSchema(Schema):
    change_id = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**63 - 1))


class RollbackDecided(Schema):
    incident = fields.String(required=True, metadata={"example": "INC-42"})
    change_id = fields.Integer(required=True)
    decided = fields.Boolean(required=True, metadata={"description": "false: decided already"})
    entry_id = fields.Integer(required=True, allow_none=True, metadata={"description": "the timeline entry"})


@bp.get("/changes")
@bp.arguments(ChangeQuery, location="query", as_kwargs=True)
@bp.response(200, answers.ChangeList)
@operation(security=API_AUTH, errors=LIST_ERRORS)
def change_list(service=(), since=None, until=None, limit=100):
    """Changes, newest first: `service` (repeatable or comma-separated; default all), `since` (default
    a day ago), `until` (RFC 3339), at most `limit` (≤ 1000, default 100)."""
    services = service or tuple(s.name for s in state().catalog.services)
    since = since or datetime.now(UTC) - DEFAULT_SINCE
    with state().engine.connect() as conn:
        found = changes_for(conn, services, since, until, limit=limit)
    return {"changes": [change_json(c) for c in found], "since": iso(since), "until": iso(until), "limit": limit}


@bp.get("/incidents/<incident_ref>/rollback-candidates")
@bp.response(200, answers.RollbackCandidates)
@operation(security=API_AUTH, errors=READ_ERRORS)
def rollback_candidates(incident_ref: str):
    """The changes to the incident's affected services in the rollback window before its problem started."""
    number = incident_number(incident_ref)
    window, now = state().catalog.rollback_window, datetime.now(UTC)
    found = None
    if number is not None:
        with state().engine.connect() as conn:
            found = candidates_for_incident(conn, number, window=window, now=now)
            decided = {r.change_id: r for r in rollbacks_of(conn, found.incident.id)} if found else {}
    if found is None:
        raise Problem(404, f"no incident {incident_ref}")
    return {
        "incident": f"INC-{found.incident.number}",
        "services": list(found.services),
        "problem_started_at": iso(found.problem_started_at),
        "window_seconds": int(window.total_seconds()),
        "candidates": [candidate_json(c, decided.get(c.change.id)) for c in found.candidates],
    }


@bp.post("/incidents/<incident_ref>/rollbacks")
@bp.arguments(RollbackSchema)
@bp.response(201, RollbackDecided, description="Decided")
@bp.alt_response(200, schema=RollbackDecided, description="Decided already", success=True)
@operation(security=API_AUTH, errors=ACTION_ERRORS)
def roll_back(body, incident_ref: str):
    """We roll back a rollback candidate `{"change_id": N}`: a key event on the timeline, once."""
    number, change_id = incident_number(incident_ref), body["change_id"]
    if number is None:
        raise Problem(404, f"no incident {incident_ref}")
    try:
        done = decide_rollback(
            state().engine, number, change_id, catalog=state().catalog, now=datetime.now(UTC), actor=g.actor.name
        )
    except NotACandidate as error:
        raise Problem(400, "invalid body", {"change_id": str(error)}) from None
    state().hand_over([done.decision])
    answer = {"incident": f"INC-{number}", "change_id": change_id, "decided": done.created_id is not None}
    return answer | {"entry_id": done.created_id}, 201 if done.created_id else 200


def candidate_json(candidate: RollbackCandidate, decided: Rollback | None = None) -> dict:
    return {
        "change": change_json(candidate.change),
        "before_problem_seconds": int(candidate.before_problem.total_seconds()),
        "age_seconds": int(candidate.age.total_seconds()),
        "recent": candidate.recent,
        "questions": [
            {"key": q.key, "question": q.text, "answer": q.answer, "answered_by": q.answered_by}
            for q in candidate.questions()
        ],
        "rollback": decided and {"decided_by": decided.decided_by, "decided_at": iso(decided.decided_at)},
    }
