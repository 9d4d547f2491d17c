"""Acting on an incident through the API: acknowledge, resolve, escalate, add a responder."""

from datetime import UTC, datetime

from flask import g
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api import answers
from api.reads import incident_json
from commands import escalation as commands
from incidents.policy import Target
from incidents.references import incident_number
from ingest.documented import ACTION_ERRORS, API_AUTH, READ_ERRORS, api_blueprint, operation, state
from ingest.errors import Problem
from store.queries import get_incident

bp = api_blueprint("actions", __name__, url_prefix="/api/incidents")


class ResponderSchema(Schema):
    user = fields.String(validate=validate.Length(1, 128))
    team = fields.String(validate=validate.Length(1, 128))

    @validates_schema
    def one_target(self, data, **kwargs):
        if len(data) != 1:
            raise ValidationError("name exactly one `user` or `team`", "user")


@bp.post("/<incident_ref>/acknowledge")
@bp.response(200, answers.IncidentActed)
@operation(security=API_AUTH, errors=READ_ERRORS)
def acknowledge(incident_ref):
    """Acknowledge: stop escalation."""
    return _requested(incident_ref, "acknowledge")


@bp.post("/<incident_ref>/resolve")
@bp.response(200, answers.IncidentActed)
@operation(security=API_AUTH, errors=READ_ERRORS)
def resolve(incident_ref):
    """Resolve the incident, and every page sent for it."""
    return _requested(incident_ref, "resolve")


@bp.post("/<incident_ref>/escalate")
@bp.response(200, answers.IncidentActed)
@operation(security=API_AUTH, errors=READ_ERRORS)
def escalate(incident_ref):
    """Escalate: page the next level now."""
    return _requested(incident_ref, "escalate")


def _requested(incident_ref: str, action: str):
    return _act(incident_ref, lambda **kw: commands.requested(_engine(), action, actor=g.actor, **kw))


@bp.post("/<incident_ref>/responders")
@bp.arguments(ResponderSchema)
@bp.response(200, answers.IncidentActed)
@operation(security=API_AUTH, errors=ACTION_ERRORS)
def add_responder(body, incident_ref):
    """Page a named person or team now: `{"user": "name"}` or `{"team": "name"}`."""
    ((kind, name),) = body.items()
    catalog = state().catalog
    if name not in (catalog.people if kind == "user" else catalog.teams):
        raise Problem(400, "unknown responder", {kind: f'no {kind} called "{name}" in people.yaml'})
    target = Target(kind, name)
    return _act(incident_ref, lambda **kw: commands.add_responder(_engine(), target, actor=g.actor, **kw))


def _engine():
    return state().engine


def _act(incident_ref: str, command):
    number = _number(incident_ref)
    decision = command(number=number, catalog=state().catalog, now=datetime.now(UTC))
    if decision is None:
        raise Problem(404, f"no incident {incident_ref}")
    state().hand_over([decision])
    with state().engine.connect() as conn:
        incident, _, _ = get_incident(conn, number)
    return incident_json(incident) | {"pages_queued": len(decision.page_ids)}


def _number(incident_ref: str) -> int:
    number = incident_number(incident_ref)
    if number is None:
        raise Problem(404, f"no incident {incident_ref}")
    return number
