"""One-click acknowledgement links: no sign-in, the signed link is the credential.

GET only shows a page with a button, because mail scanners and chat previews follow links;
the button POSTs, and only that acknowledges. Every answer links to the incident's page (which
asks for sign-in); an incident acknowledged already says by whom and when instead of a button.
"""

from datetime import UTC, datetime

from flask import Blueprint, current_app, render_template, request

from commands.links import acknowledge_by_link
from incidents import escalation, links
from incidents.links import LinkOutcome
from store.links import is_used
from store.queries import get_incident
from web.incident_view import incident_summary, last_acknowledgement

bp = Blueprint("ack_links", __name__)
ANSWERS = {
    LinkOutcome.ACKNOWLEDGED: (200, "Acknowledged", "Escalation has stopped. Thank you."),
    LinkOutcome.ALREADY_ACKNOWLEDGED: (
        200,
        "Already acknowledged",
        "Someone acknowledged this incident already; escalation is stopped.",
    ),
    LinkOutcome.USED: (409, "Link already used", "This link has been used already; nothing changed."),
    LinkOutcome.RESOLVED: (409, "Incident already resolved", "This incident is resolved; nothing to acknowledge."),
    LinkOutcome.UNKNOWN: (404, "No such incident", "This link points to an incident that does not exist."),
    LinkOutcome.EXPIRED: (410, "Link expired", "This acknowledgement link has expired. Use the API or PagerDuty."),
    LinkOutcome.INVALID: (400, "Invalid link", "This link is not valid: it may have been altered."),
}


@bp.get("/ack/<token>")
def confirm(token: str):
    """A confirmation page with an Acknowledge button; changes nothing."""
    link = _verified(token)
    if isinstance(link, LinkOutcome):
        return _answer(link)
    with current_app.extensions["incidents"].engine.connect() as conn:
        used = is_used(conn, links.link_id(token))
        found = get_incident(conn, link.incident_id, by_id=True)
    shown = links.preview(found[0].status if found else None, used=used)
    if shown is not None:
        return _answer(shown, found)
    return render_template(
        "ack_page.html",
        heading="Acknowledge this incident?",
        incident=incident_summary(found[0]),
        message=f"Acknowledging as {link.target.replace(':', ' ', 1)} stops escalation.",
        form_action=request.path,
        button="Acknowledge",
    )


@bp.post("/ack/<token>")
def acknowledge(token: str):
    """Acknowledge through the link, once."""
    link = _verified(token)
    if isinstance(link, LinkOutcome):
        return _answer(link)
    state = current_app.extensions["incidents"]
    outcome, decision = acknowledge_by_link(
        state.engine, link, links.link_id(token), catalog=state.catalog, now=datetime.now(UTC)
    )
    if decision is not None:
        state.hand_over([decision])
    with state.engine.connect() as conn:
        found = get_incident(conn, link.incident_id, by_id=True)
    return _answer(outcome, found)


def _verified(token: str):
    try:
        link = links.verify(
            token,
            current_app.config["SECRET_KEY"],
            max_age=current_app.extensions["incidents"].settings.ack_link_max_age,
            now=datetime.now(UTC),
        )
    except links.ExpiredLink:
        return LinkOutcome.EXPIRED
    except links.InvalidLink:
        return LinkOutcome.INVALID
    return link if link.action == "acknowledge" else LinkOutcome.INVALID


def _answer(outcome: LinkOutcome, found=None):
    """The outcome's page; with the incident, who acknowledged it and when, from its timeline."""
    status, heading, message = ANSWERS[outcome]
    incident, _, entries = found if found else (None, None, ())
    acknowledged = (
        last_acknowledgement(entries) if incident is not None and incident.status != escalation.TRIGGERED else None
    )
    return render_template(
        "ack_page.html",
        heading=heading,
        message=message,
        incident=incident_summary(incident) if incident is not None else None,
        acknowledged=acknowledged,
    ), status
