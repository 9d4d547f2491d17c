"""Who is on call, for signed-in people: /oncall (every schedule now and next, every service's levels) and
a schedule's page (its next 14 days, its overrides), times in the viewer's zone (the forms: oncall_forms)."""

from datetime import UTC, datetime, timedelta
from functools import partial

from flask import Blueprint, current_app, render_template
from flask_login import login_required

from commands import oncall
from incidents.cover import OPEN
from store import cover_requests
from web import schedule_view
from web.people import signed_in_name, viewer_zone

bp = Blueprint("oncall_pages", __name__)
FIELDS = ("user", "start", "end")


@bp.get("/oncall")
@login_required
def oncall_page():
    """Each schedule: who is on call now (until when) and next (from when); each service: its levels now."""
    state, now = _state(), datetime.now(UTC)
    with state.engine.connect() as conn:
        schedules = oncall.schedules_now(conn, state.catalog, now)
        levels = {
            s.name: oncall.levels_now(conn, state.catalog, s.escalation_policy, now) for s in state.catalog.services
        }
    return render_template("oncall.html", schedules=schedules, levels=levels, **_viewer())


@bp.get("/schedules/<name>")
@login_required
def schedule_page(name: str):
    """The schedule's next 14 days, its overrides, and the forms to add one or take it now."""
    return schedule_answer(name, {}, {})


def schedule_answer(name: str, values: dict, errors: dict, status: int = 200):
    """The schedule page; `values` and `errors` (by field) of an add-override form that was refused."""
    state, now, zone = _state(), datetime.now(UTC), viewer_zone()
    since, until = schedule_view.window(now, zone)
    with state.engine.connect() as conn:
        ahead = oncall.ahead(conn, state.catalog, name, since, until, now)
        open_requests = [r for r in cover_requests.listed(conn, since=now, schedules=(name,)) if r.state(now) == OPEN]
    if ahead is None:
        return not_found(f"There is no schedule called {name} in schedules.yaml.")
    shown = {
        "name": name,
        "ahead": ahead,
        "view": schedule_view.timeline(ahead, since, until, now, zone),
        "values": values or _suggested(now, zone),
        "errors": errors,
        "people": sorted(state.catalog.people),
        "cover": [(r, max(r.start, now)) for r in open_requests],
    }
    return render_template("schedule.html", **shown, **_viewer()), status


def not_found(message: str):
    """A people's 404 page (the API's is JSON)."""
    return render_template("message.html", heading="Not found", message=message), 404


def _suggested(now: datetime, zone) -> dict:
    """The form's first values: from the next full hour, for 12 hours, in the viewer's zone."""
    start = (now.astimezone(zone) + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    return {
        "user": signed_in_name(),
        "start": f"{start:%Y-%m-%dT%H:%M}",
        "end": f"{start + timedelta(hours=12):%Y-%m-%dT%H:%M}",
    }


def _viewer() -> dict:
    zone = viewer_zone()
    return {"me": signed_in_name(), "zone": zone.key, "local": partial(schedule_view.local_text, zone=zone)}


def _state():
    return current_app.extensions["incidents"]
