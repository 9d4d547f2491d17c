"""The public status page: `/status`, `/status.json` (Statuspage's shape) and `/status.atom`, without
sign-in, all served from the snapshot (web.status_snapshot), never from the database directly."""

from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, current_app, render_template

from incidents import status_document
from store.status_page import read_facts
from web.status_snapshot import Snapshot, SnapshotCache, Unavailable

bp = Blueprint("status_page", __name__)
SNAPSHOT_FILE = "status-snapshot.json"
# The only parts of the page that change between snapshots, filled in at each request.
AGE_MARK, STALE_MARK = "<!--snapshot-age-->", "<!--snapshot-stale-->"
STALE = '<p class="error" role="status">This page could not be refreshed lately: what it shows may be out of date.</p>'


def install(app: Flask) -> None:
    """One snapshot cache per process, built from the app's engine and configuration."""
    state = app.extensions["incidents"]
    app.extensions["status_page"] = SnapshotCache(
        DatabaseDocument(state),
        path=state.settings.var_dir / SNAPSHOT_FILE,
        max_age=state.settings.status_page_max_age,
    )
    app.register_blueprint(bp)
    app.add_template_filter(status_time, "status_time")


def status_time(value: str | None) -> str:
    """`2026-12-01T09:30:00+00:00` as `1 Dec 2026 09:30 UTC`: the page needs no script to read."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value).astimezone(UTC)
    return f"{moment.day} {moment:%b %Y %H:%M} UTC"


class DatabaseDocument:
    """Builds the document from the database; `engine` may be swapped (tests point it at a closed port)."""

    def __init__(self, state):
        self.engine, self.catalog, self.url = state.engine, state.catalog, f"{state.settings.public_url}/status"

    def __call__(self, now: datetime) -> dict:
        page, components = self.catalog.status_page, self.catalog.components
        with self.engine.connect() as conn:
            facts = read_facts(conn, page, components, now)
        return status_document.build(page, components, facts, now, self.url)


@bp.get("/status")
def page():
    """The page: components, active incidents, maintenance, history; with the snapshot's age."""
    snapshot, cache = _snapshot(), _cache()
    html = _rendered(snapshot, "status.html", lambda: render_template("status.html", **_view(snapshot)))
    age = (cache.clock() - snapshot.built_at).total_seconds()
    stale = STALE if age > 3 * cache.max_age.total_seconds() + 30 else ""
    html = html.replace(AGE_MARK, age_text(max(age, 0)), 1).replace(STALE_MARK, stale, 1)
    return _cached(Response(html, mimetype="text/html"))


@bp.get("/status.json")
def document():
    """The same data as Atlassian Statuspage's summary.json (plus resolved incidents and past maintenance)."""
    return _cached(Response(_snapshot().json, mimetype="application/json"))


@bp.get("/status.atom")
def feed():
    """An Atom feed: each public event the page shows (an incident's opening, its public updates, its
    resolution) and each maintenance announcement."""
    snapshot = _snapshot()
    entries = status_document.feed_entries(snapshot.document)
    xml = _rendered(
        snapshot, "atom", lambda: render_template("status.atom.xml", doc=snapshot.document, entries=entries)
    )
    return _cached(Response(xml, mimetype="application/atom+xml"))


@bp.errorhandler(Unavailable)
def unavailable(error):
    return Response(str(error) + "\n", status=503, mimetype="text/plain", headers={"Retry-After": "30"})


def age_text(seconds: float) -> str:
    """`updated 3 minutes ago`."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"updated {count} {unit}{'s' if count > 1 else ''} ago"
    return "updated just now" if seconds < 5 else f"updated {int(seconds)} seconds ago"


def _rendered(snapshot: Snapshot, name: str, render) -> str:
    """Rendered once per snapshot and kept: a request then costs a string replacement, not a template."""
    cache = _cache()
    kept = cache.rendered
    if kept is None or kept[0] is not snapshot:
        kept = cache.rendered = (snapshot, {})
    if name not in kept[1]:
        kept[1][name] = render()
    return kept[1][name]


def _view(snapshot: Snapshot) -> dict:
    incidents = snapshot.document["incidents"]
    maintenances = snapshot.document["scheduled_maintenances"]
    return {
        "history_days": current_app.extensions["incidents"].catalog.status_page.history_days,
        "doc": snapshot.document,
        "age": AGE_MARK,
        "stale": STALE_MARK,
        "active": [i for i in incidents if i["status"] != "resolved"],
        "history": [i for i in incidents if i["status"] == "resolved"],
        "planned": [m for m in maintenances if m["status"] != "completed"],
        "done": [m for m in maintenances if m["status"] == "completed"],
    }


def _cached(response: Response) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={int(_cache().max_age.total_seconds())}"
    return response


def _snapshot() -> Snapshot:
    return _cache().current()


def _cache() -> SnapshotCache:
    return current_app.extensions["status_page"]
