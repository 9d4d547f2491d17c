"""The incident page's forms: each a plain POST with CSRF, acting as the signed-in person, then back to the page.

A refused form (empty text, a wrong ETA, an unknown person, text too long) changes nothing: the page answers
400 with that form as it was typed and every error next to its field.
"""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from commands import escalation as escalation_commands
from commands import incident as commands
from commands.rollbacks import decide_rollback
from commands.schemas import (
    ActionChangeSchema,
    ActionSchema,
    CatalogSchema,
    HandoverSchema,
    NoteSchema,
    PinSchema,
    ReopenSchema,
    RoleSchema,
    SeveritySchema,
    StatusSchema,
    UpdateSchema,
    field_messages,
)
from commands.work import NotFound
from incidents.actors import Actor
from incidents.policy import Target
from incidents.references import MAX_ID, incident_number
from web.incident_pages import render_incident
from web.people import signed_in_name

bp = Blueprint("incident_forms", __name__, url_prefix="/incidents/<ref>")


@bp.post("/command")
@login_required
def take_command(ref):
    """The signed-in person takes command."""
    return _done(ref, "You have command.", lambda n, **kw: commands.take_command(_engine(), n, signed_in_name(), **kw))


@bp.post("/handover")
@login_required
def hand_over(ref):
    """Command goes to the person chosen."""
    to = _form(HandoverSchema, "handover")["to"]
    call = lambda n, **kw: commands.hand_over(_engine(), n, to, **kw)  # noqa: E731
    return _done(ref, f"Command handed over to {to}.", call, form="handover")


@bp.post("/roles")
@login_required
def set_role(ref):
    """Give a role (communications, scribe) to a person, or free it (no person)."""
    form = _form(RoleSchema, "role", empty=("person",))
    role, person = form["role"], form["person"]
    call = lambda n, **kw: commands.set_role(_engine(), n, role, person, **kw)  # noqa: E731
    return _done(ref, f"Role {role} set.", call, form="role")


@bp.post("/severity")
@login_required
def set_severity(ref):
    """Set the severity up or down, with a reason."""
    form = _form(SeveritySchema, "severity")
    severity, reason = form["severity"], form["reason"]
    message = f"Severity set to {severity.name}."
    call = lambda n, **kw: commands.set_severity(_engine(), n, severity, reason, **kw)  # noqa: E731
    return _done(ref, message, call, form="severity")


@bp.post("/status")
@login_required
def set_status(ref):
    """The status word and the impact text."""
    form = _form(StatusSchema, "status")
    word, impact = form["status"], form.get("impact", "").strip()
    call = lambda n, **kw: commands.set_status(_engine(), n, word, impact=impact, **kw)  # noqa: E731
    return _done(ref, "Status set.", call, form="status")


@bp.post("/updates")
@login_required
def post_update(ref):
    """A status update: status word, text, optional ETA, and whether it goes to the status page."""
    form = _form(UpdateSchema, "update")
    word, text, eta, public = form["status"], form["text"], form["eta"].strip(), form["public"]
    call = lambda n, **kw: commands.post_update(_engine(), n, word, text, eta, public=public, **kw)  # noqa: E731
    return _done(ref, "Update posted.", call, anchor="updates", form="update", field="eta")


@bp.post("/<any(publish, unpublish):choice>")
@login_required
def publish(ref, choice):
    """Put the incident on the public status page, or take it off."""
    shown = choice == "publish"
    message = "Published on the status page." if shown else "Taken off the status page."
    call = lambda n, **kw: commands.publish(_engine(), n, shown, **kw)  # noqa: E731
    response = _done(ref, message, call, anchor="publish")
    current_app.extensions["status_page"].expire()  # this process shows it at once; others at their refresh
    return response


@bp.post("/notes")
@login_required
def add_note(ref):
    """A note on the timeline, pinned as a key event if asked."""
    form = _form(NoteSchema, "note")
    text, pinned = form["text"], form["pinned"]
    call = lambda n, **kw: commands.add_note(_engine(), n, text, pinned=pinned, **kw)  # noqa: E731
    return _done(ref, "Note added" + (" and pinned." if pinned else "."), call, anchor="timeline", form="note")


@bp.post(f"/timeline/<int(max={MAX_ID}):entry_id>/pin")
@login_required
def pin(ref, entry_id):
    """Pin (pinned=1) or unpin (pinned=0) a timeline entry as a key event."""
    pinned = _form(PinSchema, "pin")["pinned"]
    call = lambda n, **kw: commands.pin(_engine(), n, entry_id, pinned, **kw)  # noqa: E731
    return _done(ref, "Pinned as a key event." if pinned else "Unpinned.", call, anchor="timeline")


@bp.post("/actions")
@login_required
def add_action(ref):
    """Add one action to the checklist, or (playbook=1) the playbook's mitigation prompts."""
    form = _form(ActionSchema, "action")
    text, playbook = form.get("text"), form["playbook"]
    call = lambda n, **kw: commands.add_action(_engine(), n, text, playbook=playbook, **kw)  # noqa: E731
    message = "Checklist started from the playbook." if playbook else "Action added."
    return _done(ref, message, call, anchor="actions", form="action")


@bp.post(f"/actions/<int(max={MAX_ID}):action_id>")
@login_required
def change_action(ref, action_id):
    """Tick (done=1), untick (done=0), or assign (assignee: a person, or empty for nobody)."""
    change = _form(ActionChangeSchema, f"action-{action_id}", empty=("assignee",))
    call = lambda n, **kw: commands.change_action(_engine(), n, action_id, **change, **kw)  # noqa: E731
    return _done(ref, "Checklist changed.", call, anchor="actions")


@bp.post("/rollbacks")
@login_required
def roll_back(ref):
    """We roll back a rollback candidate (`change_id`); deciding it again changes nothing."""
    change_id = _change_id()
    call = lambda n, **kw: decide_rollback(_engine(), n, change_id, **kw)  # noqa: E731
    message = "Rollback decided: it is on the timeline and the key events."
    return _done(ref, message, call, anchor="rollback", form="rollback", field="change_id")


@bp.post("/responders")
@login_required
def pull_in(ref):
    """Page a team now (the responders action), shown on the page as pulled in."""
    team = request.form.get("team", "")
    if team not in _state().catalog.teams:
        raise _RefusedInput("team", {"team": f'There is no team called "{team}" in people.yaml.'})
    target = Target("team", team)
    return _escalation(
        ref, lambda **kw: escalation_commands.add_responder(_engine(), target, **kw), f"Team {team} paged."
    )


@bp.post("/reopen")
@login_required
def reopen(ref):
    """A resolved incident is back: reopened, with the reason on the timeline."""
    reason = _form(ReopenSchema, "reopen")["reason"]
    call = lambda n, **kw: commands.reopen(_engine(), n, reason, **kw)  # noqa: E731
    return _done(ref, "Reopened: you are on it, and the next update is due.", call, form="reopen")


@bp.post("/<any(acknowledge, resolve, escalate):action>")
@login_required
def incident_action(ref, action):
    """Acknowledge, resolve, or escalate now (page the next level), as the signed-in person."""
    return _escalation(ref, lambda **kw: escalation_commands.requested(_engine(), action, **kw), DONE[action])


DONE = {
    "acknowledge": "Acknowledged: escalation has stopped.",
    "resolve": "Resolved.",
    "escalate": "Escalated: the next level is being paged.",
}


def _escalation(ref, command, message: str):
    """An escalation command, the API's own, with the signed-in person as actor."""
    state, number = _state(), _number(ref)
    actor = Actor.person(signed_in_name())
    decision = command(number=number, catalog=state.catalog, now=datetime.now(UTC), actor=actor)
    if decision is None:
        abort(404)
    state.hand_over([decision])
    flash(message)
    return _back(number)


def _done(ref, message: str, call, anchor: str = "", form: str = "", field: str = "_schema"):
    """Run a command as the signed-in person; flash its outcome; back to the page (PRG). The command's
    ValueError refuses `form`, next to `field` (a wrong ETA, a change that is no rollback candidate)."""
    number = _number(ref)
    try:
        done = call(number, catalog=_state().catalog, now=datetime.now(UTC), actor=signed_in_name())
    except NotFound:
        abort(404)
    except ValueError as error:  # as the core words it
        raise _RefusedInput(form, {field: str(error)}) from None
    _state().hand_over([done.decision] if done.decision else [])
    flash(message)
    return _back(number, anchor)


def _back(number: int, anchor: str = ""):
    url = url_for("incident_pages.incident_page", incident_ref=f"INC-{number}")
    return redirect(url + (f"#{anchor}" if anchor else ""), code=303)


def _form(schema, name: str, empty: tuple[str, ...] = ()) -> dict:
    """Form `name`, loaded by the command's schema (the API's own, commands.schemas); every wrong field is
    refused with the schema's words. A field of `empty` sent empty means none (a person: nobody)."""
    data = {field: value for field, value in request.form.items() if field in schema().fields}
    data |= {field: None for field in empty if data.get(field) == ""}
    people = {"catalog": _state().catalog} if issubclass(schema, CatalogSchema) else {}
    try:
        return schema(**people).load(data)
    except ValidationError as error:
        raise _RefusedInput(name, field_messages(error)) from None


def _change_id() -> int:
    raw = request.form.get("change_id", "")
    if not (raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63):
        raise _RefusedInput("rollback", {"change_id": "Choose a change to roll back."})
    return int(raw)


class _RefusedInput(Exception):
    """Raised while reading a form or running its command: form `name` and its errors by field."""

    def __init__(self, name: str, errors: dict[str, str]):
        super().__init__(name)
        self.name, self.errors = name, errors


@bp.errorhandler(_RefusedInput)
def _input_refused(error):
    """The page again, 400, with the refused form as typed (but its CSRF token) and its errors."""
    values = {field: value for field, value in request.form.items() if field != "csrf_token"}
    refused = {"form": error.name, "values": values, "errors": error.errors}
    return render_incident(_number(request.view_args["ref"]), refused), 400


def _engine():
    return _state().engine


def _state():
    return current_app.extensions["incidents"]


def _number(ref: str) -> int:
    number = incident_number(ref)
    if number is None:
        abort(404)
    return number
