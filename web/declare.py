"""Declaring an incident by hand (a user report, a support escalation, something noticed): the form, and
the same command as `POST /api/incidents`, so it pages exactly like an alert-born one of its severity."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from commands import incident as commands
from commands.schemas import DeclareSchema, first_message
from incidents.severity import Severity
from web.people import signed_in_name

bp = Blueprint("declare", __name__)
FIELDS = ("title", "service", "severity", "impact", "found_by")


@bp.get("/incidents/new")
@login_required
def form():
    """The form, empty."""
    return _form({"severity": "SEV2"})


@bp.post("/incidents/new")
@login_required
def declare():
    """Open the incident as the signed-in person; back to the form, unchanged, if something is wrong."""
    state = current_app.extensions["incidents"]
    values = {name: request.form.get(name, "").strip() for name in FIELDS}
    try:  # the API's own schema: both refuse the same input with the same words
        declared = DeclareSchema(catalog=state.catalog).load(values)
    except ValidationError as error:
        return _form(values, first_message(error)), 400
    now, actor = datetime.now(UTC), signed_in_name()
    done = commands.declare(state.engine, **declared, catalog=state.catalog, now=now, actor=actor)
    state.hand_over([done.decision] if done.decision else [])
    return redirect(url_for("incident_pages.incident_page", incident_ref=f"INC-{done.number}"), code=303)


def _form(values: dict, problem: str = ""):
    services = [s.name for s in current_app.extensions["incidents"].catalog.services]
    return render_template(
        "declare.html", values=values, problem=problem, services=services, severities=[s.name for s in Severity]
    )
