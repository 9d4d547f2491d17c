"""Running an incident through the API: declare one, take command, roles, severity, status, updates,
notes and pins, the actions checklist. Every call presents an API token; the actor is `api:<token name>`."""

from datetime import UTC, datetime

from flask import current_app, g

from api import answers
from api.reads import incident_document
from commands import incident as commands
from commands.schemas import (
    ActionChangeSchema,
    ActionSchema,
    CommandSchema,
    DeclareSchema,
    HandoverSchema,
    NoteSchema,
    PinSchema,
    ReopenSchema,
    RoleSchema,
    SeveritySchema,
    StatusSchema,
    UpdateSchema,
)
from incidents.references import MAX_ID, incident_number
from ingest.documented import ACTION_ERRORS, API_AUTH, api_blueprint, operation, state
from ingest.errors import Problem

bp = api_blueprint("lifecycle_api", __name__, url_prefix="/api/incidents")
CHANGED = operation(security=API_AUTH, errors=ACTION_ERRORS)


@bp.post("")
@bp.arguments(DeclareSchema)
@bp.response(201, answers.IncidentChanged)
@operation(security=API_AUTH, errors=(400, 401, 413, 415, 503))
def declare(body):
    """Declare an incident by hand; 201 with its number. It pages like an alert-born one of its severity."""
    done = commands.declare(state().engine, **body, **_context())
    return _answer(done)


@bp.post("/<incident_ref>/command")
@bp.arguments(CommandSchema)
@bp.response(200, answers.IncidentChanged)
@CHANGED
def command(body, incident_ref):
    """Take command: `{"person": name}`, a person of people.yaml."""
    return _answer(commands.take_command(state().engine, _number(incident_ref), body["person"], **_context()))


@bp.post("/<incident_ref>/handover")
@bp.arguments(HandoverSchema)
@bp.response(200, answers.IncidentChanged)
@CHANGED
def handover(body, incident_ref):
    """Hand command over: `{"to": name}`, a person of people.yaml."""
    return _answer(commands.hand_over(state().engine, _number(incident_ref), body["to"], **_context()))


@bp.post("/<incident_ref>/roles")
@bp.arguments(RoleSchema)
@bp.response(200, answers.IncidentChanged)
@CHANGED
def roles(body, incident_ref):
    """Give a role (communications, scribe) to a person, or none: `{"role": "scribe", "person": name | null}`."""
    person = body["person"] or None
    return _answer(commands.set_role(state().engine, _number(incident_ref), body["role"], person, **_context()))


@bp.post("/<incident_ref>/severity")
@bp.arguments(SeveritySchema)
@bp.response(200, answers.IncidentChanged)
@CHANGED
def severity(body, incident_ref):
    """Set the severity: `{"severity": "SEV1", "reason": "..."}`; a rise applies its urgency."""
    engine = state().engine
    return _answer(commands.set_severity(engine, _number(incident_ref), body["severity"], body["reason"], **_context()))


@bp.post("/<incident_ref>/status")
@bp.arguments(StatusSchema)
@bp.response(200, answers.IncidentChanged)
@CHANGED
def status(body, incident_ref):
    """Set the status word, impact, phase, affected services.

    `{"status": "Identified", "impact": "...", "phase": "mitigation", "affected": [...]}`."""
    word = body.pop("status")
    try:
        return _answer(commands.set_status(state().engine, _number(incident_ref), word, **body, **_context()))
    except ValueError as error:  # Response, Mitigation, Recovery before the first acknowledgement
        raise Problem(400, "invalid body", {"phase": str(error)}) from None


@bp.post("/<incident_ref>/updates")
@bp.arguments(UpdateSchema)
@bp.response(201, answers.IncidentChanged)
@CHANGED
def post_update(body, incident_ref):
    """Post a status update; the next is due by severity.

    `{"status": "Identified", "text": "...", "eta": "15 minutes", "public": true}`; 201 with the update's id."""
    try:
        done = commands.post_update(
            state().engine, _number(incident_ref), body["status"], body["text"], body["eta"], public=body["public"],
            **_context(),
        )  # fmt: skip
    except ValueError as error:
        raise Problem(400, "invalid body", {"eta": str(error)}) from None
    return _answer(done)


@bp.post("/<incident_ref>/publish")
@bp.response(200, answers.IncidentChanged)
@CHANGED
def publish(incident_ref):
    """Put the incident on the public status page (named from its impact and components, never its title),
    whatever the `auto_publish` rule says; its public updates show there."""
    return _published(incident_ref, True)


@bp.post("/<incident_ref>/unpublish")
@bp.response(200, answers.IncidentChanged)
@CHANGED
def unpublish(incident_ref):
    """Take the incident off the public status page; no rule brings it back, only publishing it again."""
    return _published(incident_ref, False)


@bp.post("/<incident_ref>/notes")
@bp.arguments(NoteSchema)
@bp.response(201, answers.IncidentChanged)
@CHANGED
def add_note(body, incident_ref):
    """Add a note to the timeline, pinned as a key event or not.

    `{"text": "...", "pinned": true}`; 201 with the note's timeline entry id."""
    return _answer(
        commands.add_note(state().engine, _number(incident_ref), body["text"], pinned=body["pinned"], **_context())
    )


@bp.post(f"/<incident_ref>/notes/<int(max={MAX_ID}):entry_id>/pin")
@bp.arguments(PinSchema)
@bp.response(200, answers.IncidentChanged)
@CHANGED
def pin(body, incident_ref, entry_id):
    """Pin (or unpin) any timeline entry as a key event: `{"pinned": true | false}`."""
    return _answer(commands.pin(state().engine, _number(incident_ref), entry_id, body["pinned"], **_context()))


@bp.post("/<incident_ref>/actions")
@bp.arguments(ActionSchema)
@bp.response(201, answers.IncidentChanged)
@CHANGED
def add_action(body, incident_ref):
    """Add an action: `{"text": "..."}`, or the playbook's mitigation prompts: `{"playbook": true}`."""
    engine = state().engine
    done = commands.add_action(engine, _number(incident_ref), body.get("text"), playbook=body["playbook"], **_context())
    return _answer(done)


@bp.post(f"/<incident_ref>/actions/<int(max={MAX_ID}):action_id>")
@bp.arguments(ActionChangeSchema)
@bp.response(200, answers.IncidentChanged)
@CHANGED
def change_action(body, incident_ref, action_id):
    """Tick, untick or assign an action: `{"done": true | false}`, `{"assignee": name | null}`."""
    engine, number = state().engine, _number(incident_ref)
    return _answer(commands.change_action(engine, number, action_id, **body, **_context()))


@bp.post("/<incident_ref>/reopen")
@bp.arguments(ReopenSchema)
@bp.response(200, answers.IncidentChanged)
@operation(security=API_AUTH, errors=(*ACTION_ERRORS, 409))
def reopen(body, incident_ref):
    """Reopen a resolved incident: `{"reason": "..."}`, on the timeline. It comes back acknowledged by the caller,
    investigating, with its next update due; 409 if it is not resolved or a newer incident is open for its alerts."""
    try:
        done = commands.reopen(state().engine, _number(incident_ref), body["reason"], **_context())
    except ValueError as error:
        raise Problem(409, str(error)) from None
    return _answer(done)


def _published(incident_ref: str, published: bool) -> dict:
    answer = _answer(commands.publish(state().engine, _number(incident_ref), published, **_context()))
    current_app.extensions["status_page"].expire()  # this process shows it at once; others at their refresh
    return answer


def _answer(done: commands.Done) -> dict:
    """The incident in full (as GET answers it), with the new row's id; the decision goes to the workers."""
    state().hand_over([done.decision] if done.decision else [])
    with state().engine.connect() as conn:
        document = incident_document(conn, done.number, state().settings)
    return document | ({"created_id": done.created_id} if done.created_id else {})


def _context() -> dict:
    return {"catalog": state().catalog, "now": datetime.now(UTC), "actor": g.actor}


def _number(ref: str) -> int:
    number = incident_number(ref)
    if number is None:
        raise Problem(404, f"no incident {ref}")
    return number
