"""The changes API: changes by service and time, and an incident's rollback candidates."""

from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, jsonify, request
from marshmallow import Schema, fields, validate

from api.reads import query_time, query_values
from commands.rollbacks import decide_rollback
from incidents.changes import RollbackCandidate
from incidents.references import incident_number
from incidents.rollbacks import NotACandidate, Rollback
from incidents.utc import iso
from ingest import auth
from ingest.change_intake import change_json
from ingest.errors import Problem
from ingest.requests import json_body
from store.changes import candidates_for_incident, changes_for
from store.rollbacks import rollbacks_of

bp = Blueprint("change_api", __name__, url_prefix="/api")
DEFAULT_SINCE = timedelta(days=1)
MAX_CHANGES = 1000


class RollbackSchema(Schema):
    change_id = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**63 - 1))


@bp.before_request
def _authenticate():
    """As every /api/ call: an API token (config `api_tokens`)."""
    auth.api_caller(current_app.extensions["incidents"].catalog, request.headers.get("Authorization"))


@bp.get("/changes")
def change_list():
    """Changes, newest first: `service` (repeatable or comma-separated; default all), `since` (default
    a day ago), `until` (RFC 3339), at most `limit` (≤ 1000, default 100)."""
    state = current_app.extensions["incidents"]
    services = query_values("service") or tuple(service.name for service in state.catalog.services)
    now = datetime.now(UTC)
    since, until = query_time("since") or now - DEFAULT_SINCE, query_time("until")
    limit = _limit()
    with state.engine.connect() as conn:
        found = changes_for(conn, services, since, until, limit=limit)
    return jsonify(changes=[change_json(c) for c in found], since=iso(since), until=iso(until), limit=limit)


@bp.get("/incidents/<incident_ref>/rollback-candidates")
def rollback_candidates(incident_ref: str):
    """The changes to the incident's affected services in the rollback window before its problem started."""
    number = incident_number(incident_ref)
    state = current_app.extensions["incidents"]
    window, now = state.catalog.rollback_window, datetime.now(UTC)
    found = None
    if number is not None:
        with state.engine.connect() as conn:
            found = candidates_for_incident(conn, number, window=window, now=now)
            decided = {r.change_id: r for r in rollbacks_of(conn, found.incident.id)} if found else {}
    if found is None:
        raise Problem(404, f"no incident {incident_ref}")
    return jsonify(
        incident=f"INC-{found.incident.number}",
        services=list(found.services),
        problem_started_at=iso(found.problem_started_at),
        window_seconds=int(window.total_seconds()),
        candidates=[candidate_json(c, decided.get(c.change.id)) for c in found.candidates],
    )


@bp.post("/incidents/<incident_ref>/rollbacks")
def roll_back(incident_ref: str):
    """`{"change_id": N}`: decide to roll back a rollback candidate; 201 with the entry's id, 200 if decided already."""
    state, number = current_app.extensions["incidents"], incident_number(incident_ref)
    body, _ = json_body()
    change_id = RollbackSchema().load(body or {})["change_id"]
    if number is None:
        raise Problem(404, f"no incident {incident_ref}")
    actor = "api:" + auth.api_caller(state.catalog, request.headers.get("Authorization"))
    try:
        done = decide_rollback(
            state.engine, number, change_id, catalog=state.catalog, now=datetime.now(UTC), actor=actor
        )
    except NotACandidate as error:
        raise Problem(400, "invalid body", {"change_id": str(error)}) from None
    state.hand_over([done.decision])
    answer = {"incident": f"INC-{number}", "change_id": change_id, "decided": done.created_id is not None}
    return jsonify(answer | {"entry_id": done.created_id}), 201 if done.created_id else 200


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


def _limit() -> int:
    raw = request.args.get("limit", "100")
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_CHANGES:
        raise Problem(400, "invalid parameter", {"limit": f"must be an integer from 1 to {MAX_CHANGES}"})
    return int(raw)
