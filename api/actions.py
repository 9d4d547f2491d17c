"""Acting on an incident through the API: acknowledge, resolve, escalate, add a responder."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.reads import incident_json
from commands import escalation as commands
from incidents.actors import Actor
from incidents.policy import Target
from incidents.references import incident_number
from ingest import auth
from ingest.errors import Problem
from ingest.requests import json_body
from store.queries import get_incident

bp = Blueprint("actions", __name__, url_prefix="/api/incidents")


class ResponderSchema(Schema):
    user = fields.String(validate=validate.Length(1, 128))
    team = fields.String(validate=validate.Length(1, 128))

    @validates_schema
    def one_target(self, data, **kwargs):
        if len(data) != 1:
            raise ValidationError("name exactly one `user` or `team`", "user")


@bp.post("/<incident_ref>/<any(acknowledge, resolve, escalate):action>")
def act_on(incident_ref, action):
    """Acknowledge (stop escalation), resolve (and every page sent), or escalate (next level now)."""
    actor = Actor.api(_caller())
    return _act(incident_ref, lambda **kw: commands.requested(_engine(), action, actor=actor, **kw))


@bp.post("/<incident_ref>/responders")
def add_responder(incident_ref):
    """Page a named person or team now: `{"user": "name"}` or `{"team": "name"}`."""
    actor = Actor.api(_caller())
    body, _ = json_body()
    ((kind, name),) = ResponderSchema().load(body).items()
    catalog = current_app.extensions["incidents"].catalog
    if name not in (catalog.people if kind == "user" else catalog.teams):
        raise Problem(400, "unknown responder", {kind: f'no {kind} called "{name}" in people.yaml'})
    target = Target(kind, name)
    return _act(incident_ref, lambda **kw: commands.add_responder(_engine(), target, actor=actor, **kw))


def _engine():
    return current_app.extensions["incidents"].engine


def _act(incident_ref: str, command):
    state = current_app.extensions["incidents"]
    number = _number(incident_ref)
    decision = command(number=number, catalog=state.catalog, now=datetime.now(UTC))
    if decision is None:
        raise Problem(404, f"no incident {incident_ref}")
    state.hand_over([decision])
    with state.engine.connect() as conn:
        incident, _, _ = get_incident(conn, number)
    return jsonify(incident_json(incident) | {"pages_queued": len(decision.page_ids)})


def _number(incident_ref: str) -> int:
    number = incident_number(incident_ref)
    if number is None:
        raise Problem(404, f"no incident {incident_ref}")
    return number


def _caller() -> str:
    """The name of the API token the request presents; 401 otherwise."""
    return auth.api_caller(current_app.extensions["incidents"].catalog, request.headers.get("Authorization"))
