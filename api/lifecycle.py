"""Running an incident through the API: declare one, take command, roles, severity, status, updates,
notes and pins, the actions checklist. Every call presents an API token; the actor is `api:<token name>`."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request

from commands import incident as commands
from commands.schemas import (
    ActionChangeSchema,
    ActionSchema,
    CatalogSchema,
    CommandSchema,
    DeclareSchema,
    HandoverSchema,
    NoteSchema,
    PinSchema,
    RoleSchema,
    SeveritySchema,
    StatusSchema,
    UpdateSchema,
)
from incidents.actors import Actor
from incidents.references import MAX_ID, incident_number
from ingest import auth
from ingest.errors import Problem
from ingest.requests import json_body

bp = Blueprint("lifecycle_api", __name__, url_prefix="/api/incidents")


@bp.post("")
def declare():
    """Declare an incident by hand; 201 with its number. It pages like an alert-born one of its severity."""
    actor, body = _caller(), _load(DeclareSchema)
    done = commands.declare(_state().engine, **body, **_context(actor))
    return _answer(done, 201)


@bp.post("/<ref>/command")
def command(ref):
    """`{"person": name}` takes command."""
    actor, body = _caller(), _load(CommandSchema)
    return _answer(commands.take_command(_state().engine, _number(ref), body["person"], **_context(actor)))


@bp.post("/<ref>/handover")
def handover(ref):
    """`{"to": name}`: command goes to that person."""
    actor, body = _caller(), _load(HandoverSchema)
    return _answer(commands.hand_over(_state().engine, _number(ref), body["to"], **_context(actor)))


@bp.post("/<ref>/roles")
def roles(ref):
    """`{"role": "scribe", "person": name | null}`."""
    actor, body = _caller(), _load(RoleSchema)
    person = body["person"] or None
    return _answer(commands.set_role(_state().engine, _number(ref), body["role"], person, **_context(actor)))


@bp.post("/<ref>/severity")
def severity(ref):
    """`{"severity": "SEV1", "reason": "..."}`: up applies its urgency, down is kept."""
    actor, body = _caller(), _load(SeveritySchema)
    engine = _state().engine
    return _answer(commands.set_severity(engine, _number(ref), body["severity"], body["reason"], **_context(actor)))


@bp.post("/<ref>/status")
def status(ref):
    """`{"status": "Identified", "impact": "...", "phase": "mitigation", "affected": [...]}`."""
    actor, body = _caller(), _load(StatusSchema)
    word = body.pop("status")
    return _answer(commands.set_status(_state().engine, _number(ref), word, **body, **_context(actor)))


@bp.post("/<ref>/updates")
def post_update(ref):
    """`{"status": "Identified", "text": "...", "eta": "15 minutes", "public": true}`; 201 with the update's id."""
    actor, body = _caller(), _load(UpdateSchema)
    try:
        done = commands.post_update(
            _state().engine, _number(ref), body["status"], body["text"], body["eta"], public=body["public"],
            **_context(actor),
        )  # fmt: skip
    except ValueError as error:
        raise Problem(400, "invalid body", {"eta": str(error)}) from None
    return _answer(done, 201)


@bp.post("/<ref>/notes")
def add_note(ref):
    """`{"text": "...", "pinned": true}`; 201 with the note's timeline entry id."""
    actor, body = _caller(), _load(NoteSchema)
    return _answer(
        commands.add_note(_state().engine, _number(ref), body["text"], pinned=body["pinned"], **_context(actor)), 201
    )


@bp.post(f"/<ref>/notes/<int(max={MAX_ID}):entry_id>/pin")
def pin(ref, entry_id):
    """`{"pinned": false}` unpins; any timeline entry of the incident may be pinned as a key event."""
    actor, body = _caller(), _load(PinSchema)
    return _answer(commands.pin(_state().engine, _number(ref), entry_id, body["pinned"], **_context(actor)))


@bp.post("/<ref>/actions")
def add_action(ref):
    """`{"text": "..."}` adds an action; `{"playbook": true}` the mitigation prompts. 201."""
    actor, body = _caller(), _load(ActionSchema)
    engine = _state().engine
    done = commands.add_action(engine, _number(ref), body.get("text"), playbook=body["playbook"], **_context(actor))
    return _answer(done, 201)


@bp.post(f"/<ref>/actions/<int(max={MAX_ID}):action_id>")
def change_action(ref, action_id):
    """`{"done": true}` ticks, `{"done": false}` unticks, `{"assignee": name | null}` assigns."""
    actor, body = _caller(), _load(ActionChangeSchema)
    engine, number = _state().engine, _number(ref)
    return _answer(commands.change_action(engine, number, action_id, **body, **_context(actor)))


def _answer(done: commands.Done, status: int = 200):
    """The incident in full (as GET answers it), with the new row's id; the decision goes to the workers."""
    from api.reads import incident_document  # noqa: PLC0415 (api.reads registers first)

    _state().hand_over([done.decision] if done.decision else [])
    with _state().engine.connect() as conn:
        document = incident_document(conn, done.number, _state().settings)
    return jsonify(document | ({"created_id": done.created_id} if done.created_id else {})), status


def _load(schema):
    """The JSON body, loaded by the command's schema (the web forms' own); a person must be in people.yaml."""
    body, _ = json_body()
    people = {"catalog": _state().catalog} if issubclass(schema, CatalogSchema) else {}
    return schema(**people).load(body or {})


def _state():
    return current_app.extensions["incidents"]


def _context(actor: Actor) -> dict:
    return {"catalog": _state().catalog, "now": datetime.now(UTC), "actor": actor}


def _caller() -> Actor:
    return Actor.api(auth.api_caller(_state().catalog, request.headers.get("Authorization")))


def _number(ref: str) -> int:
    number = incident_number(ref)
    if number is None:
        raise Problem(404, f"no incident {ref}")
    return number
