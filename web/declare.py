"""Declaring an incident by hand (a user report, a support escalation, something noticed): the form, and
the same command as `POST /api/incidents`, so it pages exactly like an alert-born one of its severity."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from commands import incident as commands
from commands.schemas import DeclareSchema, field_messages
from incidents.severity import Severity
from web.people import signed_in_name

bp = Blueprint("declare", __name__)
FIELDS = ("title", "service", "severity", "impact", "found_by", "commander")


@bp.get("/incidents/new")
@login_required
def form():
    """The form, empty; the person declaring is its commander unless they choose another (or nobody)."""
    return _form({"severity": "SEV2", "commander": signed_in_name()})


@bp.post("/incidents/new")
@login_required
def declare():
    """Open the incident as the signed-in person; if something is wrong, the form again as typed, every error shown."""
    state = current_app.extensions["incidents"]
    values = {name: request.form.get(name, "").strip() for name in FIELDS}
    try:  # the API's own schema: both refuse the same input with the same words
        declared = DeclareSchema(catalog=state.catalog).load(values | {"commander": values["commander"] or None})
    except ValidationError as error:
        return _form(values, field_messages(error)), 400
    now, actor = datetime.now(UTC), signed_in_name()
    done = commands.declare(state.engine, **declared, catalog=state.catalog, now=now, actor=actor)
    state.hand_over([done.decision] if done.decision else [])
    return redirect(url_for("incident_pages.incident_page", incident_ref=f"INC-{done.number}"), code=303)


def _form(values: dict, errors: dict | None = None):
    catalog = current_app.extensions["incidents"].catalog
    return render_template(
        "declare.html",
        values=values,
        errors=errors or {},
        services=[s.name for s in catalog.services],
        severities=[s.name for s in Severity],
        people=sorted(catalog.people),
    )
