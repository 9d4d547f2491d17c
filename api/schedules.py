"""Schedules through the API: add and delete overrides. Every call presents an API token."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request

from commands import schedules as commands
from commands.schemas import OverrideSchema
from incidents.actors import Actor
from incidents.references import MAX_ID
from ingest import auth
from ingest.requests import json_body

bp = Blueprint("schedules_api", __name__, url_prefix="/api/schedules")


@bp.post("/<name>/overrides")
def add_override(name):
    """`{"user", "start", "end"}`: that person is on call for the schedule then; 201 with its id."""
    actor, state = _caller(), current_app.extensions["incidents"]
    body, _ = json_body()
    asked = OverrideSchema(catalog=state.catalog).load(body or {})
    override_id = commands.add_override(
        state.engine, name, asked["user"], asked["start"], asked["end"], **_context(actor)
    )
    return jsonify(id=override_id), 201


@bp.delete(f"/<name>/overrides/<int(max={MAX_ID}):override_id>")
def delete_override(name, override_id):
    """The override stops counting; 204."""
    actor = _caller()
    commands.delete_override(current_app.extensions["incidents"].engine, name, override_id, **_context(actor))
    return "", 204


def _context(actor: Actor) -> dict:
    return {"catalog": current_app.extensions["incidents"].catalog, "now": datetime.now(UTC), "actor": actor}


def _caller() -> Actor:
    catalog = current_app.extensions["incidents"].catalog
    return Actor.api(auth.api_caller(catalog, request.headers.get("Authorization")))
