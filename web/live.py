"""Live updates of the incident page: a small JSON version the page polls; when it changes, the page
fetches itself again and swaps the sections that changed (web/static/live.js)."""

from flask import Blueprint, abort, current_app, jsonify
from flask_login import login_required

from incidents.references import incident_number
from store.incident_page import live_version

bp = Blueprint("live", __name__)


def version_of(number: int) -> str:
    """The incident's live version (404 if there is no such incident)."""
    with current_app.extensions["incidents"].engine.connect() as conn:
        version = live_version(conn, number)
    if version is None:
        abort(404)
    return version


@bp.get("/incidents/<incident_ref>/live")
@login_required
def live(incident_ref: str):
    """`{"version": "..."}`: changes whenever a timeline entry, a page's delivery or an alert does."""
    number = incident_number(incident_ref)
    if number is None:
        abort(404)
    response = jsonify({"version": version_of(number)})
    response.headers["Cache-Control"] = "no-store"
    return response
