"""Cover requests through the API: list a schedule's, ask for cover, take one, withdraw one. Every call
presents an API token; the actor is `api:<token name>`, the people are named in the body."""

from datetime import UTC, datetime

from flask import Response, g

from api import answers
from commands import cover as commands
from commands.schemas import CoverAskSchema, TakeSchema
from incidents.cover import CoverRequest, Refused
from incidents.references import MAX_ID
from incidents.utc import iso
from ingest.documented import ACTION_ERRORS, API_AUTH, READ_ERRORS, api_blueprint, operation, state
from ingest.errors import Problem
from store import cover_requests

bp = api_blueprint("cover_api", __name__, url_prefix="/api/schedules/<name>/cover-requests")
ONE = f"/<int(max={MAX_ID}):request_id>"
# Taken, cancelled or over already, or one's own: 409.
REFUSABLE = operation(security=API_AUTH, errors=(*ACTION_ERRORS, 409))


@bp.get("")
@bp.response(200, answers.CoverRequests)
@operation(security=API_AUTH, errors=READ_ERRORS)
def listed(name):
    """The schedule's cover requests that are not over yet, open or not, by start."""
    commands.known_schedule(state().catalog, name)
    now = datetime.now(UTC)
    with state().engine.connect() as conn:
        found = cover_requests.listed(conn, since=now, schedules=(name,))
    return {"cover_requests": [shown(request, now) for request in found]}


@bp.post("")
@bp.arguments(CoverAskSchema)
@bp.response(201, answers.CoverRequest)
@operation(security=API_AUTH, errors=ACTION_ERRORS)
def ask(asked, name):
    """`{"user", "start", "end", "note"}`: `user`, on call then, asks the others on the schedule to cover
    that time (all of a shift or part of it; it starts now at the earliest). They are told by mail and chat."""
    now = datetime.now(UTC)
    request = commands.ask(
        state().engine, name, asked["user"], asked["start"], asked["end"], asked["note"], **_context(now)
    )
    return shown(request, now)


@bp.post(f"{ONE}/take")
@bp.arguments(TakeSchema)
@bp.response(200, answers.CoverRequest)
@REFUSABLE
def take(asked, name, request_id):
    """`{"user"}` covers the request: an override puts them on call for its time; the requester is told.
    The first to take it gets it: 409 for the others."""
    now = datetime.now(UTC)
    try:
        request = commands.take(state().engine, name, request_id, asked["user"], **_context(now))
    except Refused as error:
        raise Problem(409, str(error)) from None
    return shown(request, now)


@bp.delete(ONE)
@bp.response(204, description="Withdrawn")
@operation(security=API_AUTH, errors=(*READ_ERRORS, 409))
def cancel(name, request_id):
    """Withdraw an open request (409 once it is taken or over)."""
    try:
        commands.cancel(state().engine, name, request_id, **_context(datetime.now(UTC)))
    except Refused as error:
        raise Problem(409, str(error)) from None
    return Response(status=204)


def shown(request: CoverRequest, now: datetime) -> dict:
    return {
        "id": request.id,
        "schedule": request.schedule,
        "user": request.requester,
        "start": iso(request.start),
        "end": iso(request.end),
        "note": request.note,
        "state": request.state(now),
        "taken_by": request.taken_by,
    }


def _context(now: datetime) -> dict:
    return {"catalog": state().catalog, "now": now, "actor": g.actor}
