"""The schedule page's forms, on the API's schemas and commands, as the signed-in person: add an override
(start and end in the viewer's zone; a wrong field comes back next to it, the values kept), delete one, and
"I'll take it from here" (from the schedule page or /oncall)."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from commands import schedules as commands
from commands.schemas import OverrideSchema, first_message
from commands.work import NotFound
from incidents.references import MAX_ID
from incidents.schedules import instant
from incidents.utc import iso
from web import oncall_pages, schedule_view
from web.people import signed_in_name, viewer_zone

bp = Blueprint("oncall_forms", __name__, url_prefix="/schedules/<name>")
WHEN = "Give a date and time, such as 2027-03-01 09:00."


@bp.post("/overrides")
@login_required
def add_override(name: str):
    """Add an override; back to the page with the refused fields marked, or to the page with it added."""
    values = {field: request.form.get(field, "").strip() for field in oncall_pages.FIELDS}
    state = current_app.extensions["incidents"]
    now, zone = _now(), viewer_zone()
    try:
        asked = _override(values, state.catalog, zone)
        commands.add_override(state.engine, name, **asked, catalog=state.catalog, now=now, actor=signed_in_name())
    except NotFound as error:
        return oncall_pages.not_found(f"There is {error}.")
    except ValidationError as error:
        errors = {field: first_message(ValidationError(messages)) for field, messages in error.messages.items()}
        return oncall_pages.schedule_answer(name, values, errors, 400)
    start, end = (schedule_view.local_text(t, zone) for t in (max(asked["start"], now), asked["end"]))
    flash(f"Override added: {asked['person']} is on call for {name} from {start} until {end}.")
    return _back(name)


@bp.post(f"/overrides/<int(max={MAX_ID}):override_id>/delete")
@login_required
def delete_override(name: str, override_id: int):
    """Delete an override: it stops counting."""
    state = current_app.extensions["incidents"]
    try:
        commands.delete_override(
            state.engine, name, override_id, catalog=state.catalog, now=_now(), actor=signed_in_name()
        )
    except NotFound as error:
        return oncall_pages.not_found(f"There is {error}.")
    flash(f"Override #{override_id} deleted.")
    return _back(name)


@bp.post("/take")
@login_required
def take(name: str):
    """The signed-in person is on call from now until the end of the current shift."""
    state, me = current_app.extensions["incidents"], signed_in_name()
    try:
        taken = commands.take_now(state.engine, name, me, catalog=state.catalog, now=_now(), actor=me)
    except NotFound as error:
        return oncall_pages.not_found(f"There is {error}.")
    except ValidationError as error:
        flash(f"Not taken: {first_message(error)}.", "error")
        return _back(name)
    flash(f"You are on call for {name} until {schedule_view.local_text(taken.end, viewer_zone())}.")
    return _back(name)


def _override(values: dict, catalog, zone) -> dict:
    """The form loaded by the API's schema, its times read in the viewer's zone first; ValidationError by field."""
    loaded = load_timed(OverrideSchema(catalog=catalog), {"user": values["user"]}, values, zone)
    return {"person": loaded["user"], "start": loaded["start"], "end": loaded["end"]}


def load_timed(schema, data: dict, values: dict, zone, errors: dict | None = None) -> dict:
    """`data` with the form's `start` and `end` read in the viewer's zone, loaded by the API's `schema`;
    ValidationError naming every wrong field at once (`errors`: those the caller found already)."""
    errors = dict(errors or {})
    for field in ("start", "end"):
        try:
            data[field] = iso(moment(values[field], zone))
        except (ValueError, OverflowError):
            errors[field] = [WHEN]
    try:
        loaded = schema.load(data)
    except ValidationError as error:
        raise ValidationError(error.messages | errors) from None
    if errors:
        raise ValidationError(errors)
    return loaded


def moment(text: str, zone) -> datetime:
    """A local time in `zone` (as <input type=datetime-local> sends it; one with an offset is taken as is)."""
    parsed = datetime.fromisoformat(text)
    return parsed.astimezone(UTC) if parsed.tzinfo else instant(parsed, zone)


def _back(name: str):
    """Where the form was sent from: /oncall, or the schedule's page."""
    if request.form.get("back") == "oncall":
        return redirect(url_for("oncall_pages.oncall_page"), code=303)
    return redirect(url_for("oncall_pages.schedule_page", name=name), code=303)


def _now() -> datetime:
    return datetime.now(UTC)
