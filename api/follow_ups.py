"""Follow-ups through the API: read one; close, reopen, give to another owner or due date (`PATCH`). Every call
presents an API token; the actor is `api:<token name>`, written on the follow-up's incident's timeline."""

from datetime import UTC, datetime

from flask import g
from marshmallow import Schema, fields, validate

from api import answers
from commands import follow_ups as commands
from commands.fields import Text
from incidents import follow_ups as core
from incidents.utc import iso
from ingest.documented import ACTION_ERRORS, API_AUTH, READ_ERRORS, api_blueprint, operation, state
from ingest.errors import Problem
from store import follow_ups as store

bp = api_blueprint("follow_up_api", __name__, url_prefix="/api/follow-ups")
ROW_ID = 2**63 - 1


class ChangeSchema(Schema):
    """Any of: `state` (open or done), `owner` (a person or team of people.yaml, or null), `due_on` (YYYY-MM-DD or
    null). Fields left out stay as they are."""

    state = fields.String(validate=validate.OneOf(core.STATES))
    owner = Text(allow_none=True, validate=validate.Length(1, 128))
    due_on = fields.Date(allow_none=True, metadata={"example": "2030-01-22"})


@bp.get("/<int:follow_up_id>")
@bp.response(200, answers.FollowUp)
@operation(security=API_AUTH, errors=READ_ERRORS)
def read(follow_up_id: int):
    """One follow-up: owner, due date, state."""
    return _document(follow_up_id)


@bp.patch("/<int:follow_up_id>")
@bp.arguments(ChangeSchema)
@bp.response(200, answers.FollowUp)
@operation(security=API_AUTH, errors=ACTION_ERRORS)
def change(asked, follow_up_id: int):
    """Close (`{"state": "done"}`), reopen, reassign (`owner`, `due_on`); written on its incident's timeline."""
    if "owner" in asked:
        asked["owner"] = owner_of(asked["owner"], state().catalog)
    _document(follow_up_id)  # 404 before anything else
    done = commands.change(state().engine, follow_up_id, catalog=state().catalog, now=_now(), actor=g.actor, **asked)
    state().hand_over([done.decision])
    return _document(follow_up_id)


def owner_of(name: str | None, catalog) -> tuple[str, str] | None:
    """(kind, name) of a person or team of people.yaml (a team wins a shared name, as on publishing); None for
    none; Problem 400 naming `owner` for anyone else."""
    if name is None:
        return None
    name = name.strip()
    if name in catalog.teams:
        return ("team", name)
    if name in catalog.people:
        return ("user", name)
    raise Problem(400, "invalid body", {"owner": f"{name!r} is not a person or team of people.yaml"})


def document(row, today) -> dict:
    """A follow-up as the API answers it."""
    return {
        "id": row.id,
        "incident": f"INC-{row.number}",
        "service": row.service,
        "text": row.text,
        "owner": row.owner_name,
        "owner_kind": row.owner_kind,
        "due_on": row.due_on.isoformat() if row.due_on else None,
        "state": row.state,
        "overdue": row.state == core.OPEN and row.due_on is not None and row.due_on < today,
        "created_by": row.created_by,
        "created_at": iso(row.created_at),
        "closed_at": iso(row.closed_at),
    }


def _document(follow_up_id: int) -> dict:
    row = None
    if follow_up_id <= ROW_ID:
        with state().engine.connect() as conn:
            row = store.read(conn, follow_up_id)
    if row is None:
        raise Problem(404, f"no follow-up {follow_up_id}")
    return document(row, _now().date())


def _now() -> datetime:
    return datetime.now(UTC)
