"""Cover requests on the people's pages, through the API's schema and commands as the signed-in person: ask
for cover (from /me: times in the viewer's zone; a wrong field comes back next to it, the values kept), take
one (from /me or the schedule's page), withdraw one's own."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from commands import cover as commands
from commands.schemas import CoverAskSchema, first_message
from commands.work import NotFound
from incidents.cover import Refused
from incidents.references import MAX_ID
from web import me, oncall_forms, oncall_pages
from web.people import signed_in_name, viewer_zone
from web.schedule_view import local_text

bp = Blueprint("cover_forms", __name__)
FIELDS = ("schedule", "start", "end", "note")


@bp.post("/me/cover-requests")
@login_required
def ask():
    """Ask the others on a schedule to cover [start, end) of the signed-in person's on-call."""
    values = {field: request.form.get(field, "").strip() for field in FIELDS}
    state, zone, person = current_app.extensions["incidents"], viewer_zone(), signed_in_name()
    try:
        asked = _asked(values, person, state.catalog, zone)
        request_ = commands.ask(
            state.engine,
            values["schedule"],
            person,
            asked["start"],
            asked["end"],
            asked["note"],
            catalog=state.catalog,
            now=datetime.now(UTC),
            actor=person,
        )
    except ValidationError as error:
        errors = {field: first_message(ValidationError(messages)) for field, messages in error.messages.items()}
        return me.answer(values, errors, 400)
    start, end = local_text(request_.start, zone), local_text(request_.end, zone)
    flash(f"Cover asked on {request_.schedule} from {start} to {end}: the others on it are told.")
    return redirect(url_for("me.page"), code=303)


@bp.post(f"/schedules/<name>/cover-requests/<int(max={MAX_ID}):request_id>/take")
@login_required
def take(name: str, request_id: int):
    """The signed-in person covers the request (the first to take it gets it)."""
    state, person = current_app.extensions["incidents"], signed_in_name()
    try:
        taken = commands.take(
            state.engine, name, request_id, person, catalog=state.catalog, now=datetime.now(UTC), actor=person
        )
    except NotFound as error:
        return oncall_pages.not_found(f"There is {error}.")
    except Refused as error:
        flash(f"Not taken: {error}.", "error")
        return _back(name)
    zone = viewer_zone()
    flash(
        f"You cover {taken.requester} on {name} from {local_text(max(taken.start, datetime.now(UTC)), zone)} "
        f"to {local_text(taken.end, zone)}; they are told."
    )
    return _back(name)


@bp.post(f"/schedules/<name>/cover-requests/<int(max={MAX_ID}):request_id>/withdraw")
@login_required
def withdraw(name: str, request_id: int):
    """Withdraw an open request."""
    state, person = current_app.extensions["incidents"], signed_in_name()
    try:
        commands.cancel(state.engine, name, request_id, catalog=state.catalog, now=datetime.now(UTC), actor=person)
    except NotFound as error:
        return oncall_pages.not_found(f"There is {error}.")
    except Refused as error:
        flash(f"Not withdrawn: {error}.", "error")
        return _back(name)
    flash(f"Cover request #{request_id} withdrawn.")
    return _back(name)


def _asked(values: dict, person: str, catalog, zone) -> dict:
    """The form loaded by the API's schema, its times read in the viewer's zone; every wrong field at once."""
    errors = {} if values["schedule"] in catalog.schedules else {"schedule": ["Choose a schedule."]}
    data = {"user": person, "note": values["note"]}
    return oncall_forms.load_timed(CoverAskSchema(catalog=catalog), data, values, zone, errors)


def _back(name: str):
    if request.form.get("back") == "schedule":
        return redirect(url_for("oncall_pages.schedule_page", name=name), code=303)
    return redirect(url_for("me.page"), code=303)
