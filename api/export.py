"""The incident channel and its post-mortem as Markdown (`GET /incidents/INC-123.md`, `.../postmortem.md`), for
an API token or a signed-in person."""

from flask import Blueprint, Response, current_app, request
from flask_login import current_user

from incidents.channel import render
from incidents.references import incident_number
from ingest import auth
from ingest.errors import Problem
from store import postmortems
from store.channel import channel_of

bp = Blueprint("export", __name__)


def reader() -> str:
    """Who may read the export: a person signed in to the web UI (session or trusted proxy header), else
    the name of the API token presented (Unauthenticated otherwise)."""
    # flask_login's proxy, not web/: ingest never imports web; the web UI installs the login manager.
    if current_user and current_user.is_authenticated:
        return current_user.get_id()
    return auth.api_caller(current_app.extensions["incidents"].catalog, request.headers.get("Authorization"))


@bp.get("/incidents/<incident_ref>.md")
def channel_markdown(incident_ref: str):
    """The incident channel template, filled in, as text/markdown."""
    catalog = current_app.extensions["incidents"].catalog

    def channel_text(conn, number: int) -> str | None:
        found = channel_of(conn, number, catalog)
        return None if found is None else render(found)

    return _markdown(incident_ref, channel_text, f"no incident {incident_ref}")


@bp.get("/incidents/<incident_ref>/postmortem.md")
def postmortem_markdown(incident_ref: str):
    """The incident's post-mortem, its newest version, as text/markdown."""

    def postmortem_text(_conn, number: int) -> str | None:
        found = postmortems.opened(current_app.extensions["incidents"].engine, number)
        return None if found is None else found.text

    return _markdown(incident_ref, postmortem_text, f"no post-mortem for {incident_ref}")


def _markdown(incident_ref: str, text_of, missing: str) -> Response:
    """`text_of(conn, number)` for the incident as text/markdown, for a reader; 404 `missing` when it is None."""
    reader()
    number = incident_number(incident_ref)
    text = None
    if number is not None:
        with current_app.extensions["incidents"].engine.connect() as conn:
            text = text_of(conn, number)
    if text is None:
        raise Problem(404, missing)
    return Response(text, mimetype="text/markdown", headers={"Content-Disposition": "inline"})
