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
    reader()
    number = incident_number(incident_ref)
    state = current_app.extensions["incidents"]
    found = None
    if number is not None:
        with state.engine.connect() as conn:
            found = channel_of(conn, number, state.catalog)
    if found is None:
        raise Problem(404, f"no incident {incident_ref}")
    return Response(render(found), mimetype="text/markdown", headers={"Content-Disposition": "inline"})


@bp.get("/incidents/<incident_ref>/postmortem.md")
def postmortem_markdown(incident_ref: str):
    """The incident's post-mortem, its newest version, as text/markdown."""
    reader()
    number = incident_number(incident_ref)
    state = current_app.extensions["incidents"]
    found = None
    if number is not None:
        with state.engine.connect() as conn:
            found = postmortems.read(conn, number)
    if found is None:
        raise Problem(404, f"no post-mortem for {incident_ref}")
    return Response(found.text, mimetype="text/markdown", headers={"Content-Disposition": "inline"})
