"""Calendar feeds (`/calendars/<token>.ics`): no sign-in, since calendar apps cannot sign in; the token is
the secret. A person finds their link on /me, an operator any link with `incidents calendar-url`."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app

from commands import calendars
from commands.work import NotFound

bp = Blueprint("calendars", __name__)


@bp.get("/calendars/<token>.ics")
def feed(token: str):
    """The feed's iCalendar document; 404 for a token that opens none (unknown, or reset since)."""
    state = current_app.extensions["incidents"]
    domain = urlsplit(state.settings.public_url).hostname or "incident-ingest"
    try:
        text = calendars.feed_text(
            state.engine,
            token,
            catalog=state.catalog,
            secret_key=state.settings.secret_key,
            now=datetime.now(UTC),
            domain=domain,
        )
    except NotFound:
        return Response("No such calendar: the link is wrong or was reset.\n", 404, mimetype="text/plain")
    # The URL is a credential: no shared cache keeps the answer.
    headers = {"Cache-Control": "private, no-store"}
    return Response(text, 200, content_type="text/calendar; charset=utf-8", headers=headers)
