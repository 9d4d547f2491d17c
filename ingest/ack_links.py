"""One-click acknowledgement links and the incident page they point to.

GET only shows a page with a button, because mail scanners and chat previews follow links;
the button POSTs, and only that acknowledges.
"""

from datetime import UTC, datetime

from flask import Blueprint, current_app, render_template, request

from incidents import links
from incidents.severity import Severity
from ingest.api import entry_json, incident_number
from store.links import acknowledge_by_link, is_used
from store.queries import get_incident

bp = Blueprint("ack_links", __name__)
ANSWERS = {
    "acknowledged": (200, "Acknowledged", "Escalation has stopped. Thank you."),
    "already_acknowledged": (
        200,
        "Already acknowledged",
        "Someone acknowledged this incident already; escalation is stopped.",
    ),
    "used": (409, "Link already used", "This link has been used already; nothing changed."),
    "resolved": (409, "Incident already resolved", "This incident is resolved; nothing to acknowledge."),
    "unknown": (404, "No such incident", "This link points to an incident that does not exist."),
    "expired": (410, "Link expired", "This acknowledgement link has expired. Use the API or PagerDuty."),
    "invalid": (400, "Invalid link", "This link is not valid: it may have been altered."),
}


@bp.get("/ack/<token>")
def confirm(token: str):
    """A confirmation page with an Acknowledge button; changes nothing."""
    link = _verified(token)
    if isinstance(link, str):
        return _answer(link)
    state = current_app.extensions["incidents"]
    with state.engine.connect() as conn:
        used = is_used(conn, links.link_id(token))
        incident = get_incident(conn, link.incident_id, by_id=True)
    if incident is None:
        return _answer("unknown")
    if used or incident[0].status == "resolved":
        return _answer("used" if used else "resolved", incident[0])
    return render_template(
        "page.html",
        heading="Acknowledge this incident?",
        incident=_view(incident[0]),
        message=f"Acknowledging as {link.target.replace(':', ' ', 1)} stops escalation.",
        form_action=request.path,
        button="Acknowledge",
    )


@bp.post("/ack/<token>")
def acknowledge(token: str):
    """Acknowledge through the link, once."""
    link = _verified(token)
    if isinstance(link, str):
        return _answer(link)
    state = current_app.extensions["incidents"]
    outcome, decision = acknowledge_by_link(
        state.engine, link, links.link_id(token), catalog=state.catalog, now=datetime.now(UTC)
    )
    if decision is not None:
        state.hand_over([decision])
    return _answer(outcome)


@bp.get("/incidents/<incident_ref>")
def incident_page(incident_ref: str):
    """The incident as a person reads it: status, severity and timeline."""
    number = incident_number(incident_ref)
    with current_app.extensions["incidents"].engine.connect() as conn:
        found = get_incident(conn, number) if number is not None else None
    if found is None:
        return _answer("unknown")
    incident, _, entries = found
    return render_template(
        "page.html",
        heading=f"INC-{incident.number}",
        incident=_view(incident),
        message="",
        timeline=[entry_json(e) for e in entries],
    )


def _verified(token: str):
    try:
        link = links.verify(
            token,
            current_app.config["SECRET_KEY"],
            max_age=current_app.extensions["incidents"].settings.ack_link_max_age,
            now=datetime.now(UTC),
        )
    except links.ExpiredLink:
        return "expired"
    except links.InvalidLink:
        return "invalid"
    return link if link.action == "acknowledge" else "invalid"


def _answer(outcome: str, incident=None):
    status, heading, message = ANSWERS[outcome]
    return render_template(
        "page.html", heading=heading, message=message, incident=_view(incident) if incident else None
    ), status


def _view(row) -> dict:
    return {
        "number": row.number,
        "title": row.title,
        "status": row.status,
        "service": row.service,
        "severity": Severity(row.severity).name,
    }
