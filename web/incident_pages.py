"""The incident list and the incident page, for signed-in people, with acknowledge and resolve forms."""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from incidents import escalation
from incidents.severity import Severity
from store.escalation import act
from store.queries import IncidentFilter, get_incident, list_incidents
from web.incident_view import alert_views, incident_summary, timeline_views
from web.people import signed_in_name

bp = Blueprint("incident_pages", __name__)
PAGE_SIZE = 25
STATUSES = ("triggered", "acknowledged", "resolved")
DONE = {"acknowledge": "Acknowledged: escalation has stopped.", "resolve": "Resolved."}


@bp.get("/")
@login_required
def home():
    """The incident list is the home page."""
    return redirect(url_for("incident_pages.incident_list"))


@bp.get("/incidents")
@login_required
def incident_list():
    """Open incidents first, then newest; filters by status, severity and service; 25 a page."""
    chosen = _filters()
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1
    where = IncidentFilter(chosen["status"], tuple(int(Severity[s]) for s in chosen["severity"]), chosen["service"])
    with _state().engine.connect() as conn:
        rows, total = list_incidents(conn, where, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, open_first=True)
    return render_template(
        "incident_list.html",
        incidents=[incident_summary(row) for row in rows],
        chosen=chosen,
        choices=_choices(),
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        total=total,
        page_url=_page_url,
    )


@bp.get("/incidents/<incident_ref>")
@login_required
def incident_page(incident_ref: str):
    """One incident: summary, alerts with the labels that tell them apart, the full timeline, actions."""
    with _state().engine.connect() as conn:
        found = get_incident(conn, _number(incident_ref))
    if found is None:
        abort(404)
    incident, alert_rows, entries = found
    alerts = alert_views(alert_rows)
    return render_template(
        "incident.html",
        incident=incident_summary(incident),
        alerts=alerts,
        timeline=timeline_views(entries, alerts),
    )


@bp.post("/incidents/<incident_ref>/<any(acknowledge, resolve):action>")
@login_required
def incident_action(incident_ref: str, action: str):
    """Acknowledge or resolve as the signed-in person, through the same store path as the API."""
    state, number, name = _state(), _number(incident_ref), signed_in_name()
    now = datetime.now(UTC)
    decision = act(
        state.engine,
        lambda plan, current: escalation.requested(action, plan, current, now, by=name),
        catalog=state.catalog,
        now=now,
        number=number,
    )
    if decision is None:
        abort(404)
    state.hand_over([decision])
    flash(DONE[action])
    return redirect(url_for("incident_pages.incident_page", incident_ref=f"INC-{number}"))


def _page_url(page: int) -> str:
    """The list's URL for another page, with the same filters."""
    args = request.args.to_dict(flat=False) | {"page": [str(page)]}
    return url_for("incident_pages.incident_list", **args)


def _state():
    return current_app.extensions["incidents"]


def _number(incident_ref: str) -> int:
    number = incident_ref.upper().removeprefix("INC-")
    if not number.isdigit() or len(number) >= 10:
        abort(404)
    return int(number)


def _choices() -> dict:
    services = tuple(service.name for service in _state().catalog.services)
    # A `commander` filter joins here once incidents have commanders.
    return {"status": STATUSES, "severity": tuple(s.name for s in Severity), "service": services}


def _filters() -> dict:
    """The filters asked for, keeping only known values (an unknown one is ignored, not an error page)."""
    choices = _choices()
    return {name: tuple(v for v in request.args.getlist(name) if v in allowed) for name, allowed in choices.items()}
