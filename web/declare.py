"""Declaring an incident by hand (a user report, a support escalation, something noticed): the form, and
the same command as `POST /api/incidents`, so it pages exactly like an alert-born one of its severity."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import login_required

from commands import incident as commands
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
    values = {name: request.form.get(name, "").strip() for name in FIELDS}
    problem, severity = _problem(values)
    if problem:
        return _form(values, problem), 400
    state = current_app.extensions["incidents"]
    done = commands.declare(
        state.engine,
        title=values["title"][:1024],
        service=values["service"],
        severity=severity,
        impact=values["impact"][:10_000],
        found_by=values["found_by"][:1000],
        catalog=state.catalog,
        now=datetime.now(UTC),
        actor=signed_in_name(),
    )
    state.hand_over([done.decision] if done.decision else [])
    return redirect(url_for("incident_pages.incident_page", incident_ref=f"INC-{done.number}"), code=303)


def _problem(values: dict) -> tuple[str, Severity | None]:
    """What is wrong with the form, in words for the page ("" when nothing), and the severity chosen."""
    if not values["title"]:
        return "Give the incident a title.", None
    if values["service"] not in {s.name for s in current_app.extensions["incidents"].catalog.services}:
        return "Choose a service.", None
    try:
        return "", Severity.parse(values["severity"])
    except ValueError as error:
        return f"Severity: {error}", None


def _form(values: dict, problem: str = ""):
    services = [s.name for s in current_app.extensions["incidents"].catalog.services]
    return render_template(
        "declare.html", values=values, problem=problem, services=services, severities=[s.name for s in Severity]
    )
