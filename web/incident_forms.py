"""The incident page's forms: each a plain POST with CSRF, acting as the signed-in person, then back to the page.

A bad input (empty text, unknown person) is flashed as an error on the page and changes nothing.
"""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import login_required

from commands import escalation as escalation_commands
from commands import incident as commands
from commands.rollbacks import decide_rollback
from commands.work import NotFound
from incidents.actors import Actor
from incidents.lifecycle import ROLES, StatusWord
from incidents.policy import Target
from incidents.references import MAX_ID, incident_number
from incidents.severity import Severity
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
    to = _person("to")
    return _done(ref, f"Command handed over to {to}.", lambda n, **kw: commands.hand_over(_engine(), n, to, **kw))


@bp.post("/roles")
@login_required
def set_role(ref):
    """Give a role (communications, scribe) to a person, or free it (no person)."""
    role = request.form.get("role", "")
    if role not in ROLES:
        return _refused(ref, f"Choose a role: {', '.join(ROLES)}.")
    person = _person("person") if request.form.get("person") else None
    return _done(ref, f"Role {role} set.", lambda n, **kw: commands.set_role(_engine(), n, role, person, **kw))


@bp.post("/severity")
@login_required
def set_severity(ref):
    """Set the severity up or down, with a reason."""
    severity, reason = _choice("severity", Severity.parse), _text("reason", "Say why the severity changes.")
    message = f"Severity set to {severity.name}."
    return _done(ref, message, lambda n, **kw: commands.set_severity(_engine(), n, severity, reason, **kw))


@bp.post("/status")
@login_required
def set_status(ref):
    """The status word and the impact text."""
    word, impact = _choice("status", StatusWord.parse), request.form.get("impact", "").strip()[:10_000]
    return _done(ref, "Status set.", lambda n, **kw: commands.set_status(_engine(), n, word, impact=impact, **kw))


@bp.post("/updates")
@login_required
def post_update(ref):
    """A status update: status word, text, optional ETA, and whether it goes to the status page."""
    word, text = _choice("status", StatusWord.parse), _text("text", "Write what the update says.")
    eta, public = request.form.get("eta", "").strip()[:64], request.form.get("public") == "on"
    call = lambda n, **kw: commands.post_update(_engine(), n, word, text, eta, public=public, **kw)  # noqa: E731
    return _done(ref, "Update posted.", call, anchor="updates")


@bp.post("/notes")
@login_required
def add_note(ref):
    """A note on the timeline, pinned as a key event if asked."""
    text, pinned = _text("text", "Write the note."), request.form.get("pinned") == "on"
    call = lambda n, **kw: commands.add_note(_engine(), n, text, pinned=pinned, **kw)  # noqa: E731
    return _done(ref, "Note added" + (" and pinned." if pinned else "."), call, anchor="timeline")


@bp.post(f"/timeline/<int(max={MAX_ID}):entry_id>/pin")
@login_required
def pin(ref, entry_id):
    """Pin (pinned=1) or unpin (pinned=0) a timeline entry as a key event."""
    pinned = request.form.get("pinned") == "1"
    call = lambda n, **kw: commands.pin(_engine(), n, entry_id, pinned, **kw)  # noqa: E731
    return _done(ref, "Pinned as a key event." if pinned else "Unpinned.", call, anchor="timeline")


@bp.post("/actions")
@login_required
def add_action(ref):
    """Add one action to the checklist, or (playbook=1) the playbook's mitigation prompts."""
    playbook = request.form.get("playbook") == "1"
    text = None if playbook else _text("text", "Write the action.")
    call = lambda n, **kw: commands.add_action(_engine(), n, text, playbook=playbook, **kw)  # noqa: E731
    return _done(ref, "Checklist started from the playbook." if playbook else "Action added.", call, anchor="actions")


@bp.post(f"/actions/<int(max={MAX_ID}):action_id>")
@login_required
def change_action(ref, action_id):
    """Tick (done=1), untick (done=0), or assign (assignee: a person, or empty for nobody)."""
    change = {}
    if "done" in request.form:
        change["done"] = request.form["done"] == "1"
    if "assignee" in request.form:
        change["assignee"] = _person("assignee") if request.form["assignee"] else None
    call = lambda n, **kw: commands.change_action(_engine(), n, action_id, **change, **kw)  # noqa: E731
    return _done(ref, "Checklist changed.", call, anchor="actions")


@bp.post("/rollbacks")
@login_required
def roll_back(ref):
    """We roll back a rollback candidate (`change_id`); deciding it again changes nothing."""
    change_id = _change_id()
    call = lambda n, **kw: decide_rollback(_engine(), n, change_id, **kw)  # noqa: E731
    return _done(ref, "Rollback decided: it is on the timeline and the key events.", call, anchor="rollback")


@bp.post("/responders")
@login_required
def pull_in(ref):
    """Page a team now (the responders action), shown on the page as pulled in."""
    team = request.form.get("team", "")
    if team not in _state().catalog.teams:
        return _refused(ref, f'There is no team called "{team}" in people.yaml.')
    target = Target("team", team)
    return _escalation(
        ref, lambda **kw: escalation_commands.add_responder(_engine(), target, **kw), f"Team {team} paged."
    )


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


def _done(ref, message: str, call, anchor: str = ""):
    """Run a command as the signed-in person; flash its outcome; back to the page (PRG)."""
    number = _number(ref)
    try:
        done = call(number, catalog=_state().catalog, now=datetime.now(UTC), actor=signed_in_name())
    except NotFound:
        abort(404)
    except ValueError as error:  # a wrong ETA, a change that is no rollback candidate, as the core words it
        return _refused(ref, str(error))
    _state().hand_over([done.decision] if done.decision else [])
    flash(message)
    return _back(number, anchor)


def _refused(ref, message: str):
    flash(message, "error")
    return _back(_number(ref))


def _back(number: int, anchor: str = ""):
    url = url_for("incident_pages.incident_page", incident_ref=f"INC-{number}")
    return redirect(url + (f"#{anchor}" if anchor else ""), code=303)


def _text(name: str, missing: str) -> str:
    text = request.form.get(name, "").strip()
    if not text:
        raise _RefusedInput(missing)
    return text[:10_000]


def _person(name: str) -> str:
    person = request.form.get(name, "").strip()
    if person not in _state().catalog.people:
        raise _RefusedInput(f'There is no person called "{person}" in people.yaml.')
    return person


def _change_id() -> int:
    raw = request.form.get("change_id", "")
    if not (raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63):
        raise _RefusedInput("Choose a change to roll back.")
    return int(raw)


def _choice(name: str, parse):
    try:
        return parse(request.form.get(name, ""))
    except ValueError as error:
        raise _RefusedInput(f"{name.capitalize()}: {error}") from None


class _RefusedInput(Exception):
    """Raised while reading a form; the error handler turns it into a flash and a redirect back."""


@bp.errorhandler(_RefusedInput)
def _input_refused(error):
    return _refused(request.view_args["ref"], str(error))


def _engine():
    return _state().engine


def _state():
    return current_app.extensions["incidents"]


def _number(ref: str) -> int:
    number = incident_number(ref)
    if number is None:
        abort(404)
    return number
