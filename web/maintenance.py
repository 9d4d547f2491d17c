"""Maintenance windows for signed-in people: list them, add one, end one (the same store path as the API)."""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from incidents import noise
from incidents.references import MAX_ID
from store import noise as windows
from web.people import signed_in_name

bp = Blueprint("maintenance", __name__)


@bp.get("/maintenance")
@login_required
def window_list():
    """Windows not over yet, and a form to add one."""
    with _state().engine.connect() as conn:
        found = windows.list_windows(conn, now=datetime.now(UTC))
    services = [service.name for service in _state().catalog.services]
    return render_template("maintenance.html", windows=found, services=services, form=request.args)


@bp.post("/maintenance")
@login_required
def add():
    """Add a window as the signed-in person; a wrong field comes back as a message on the list."""
    now, form = datetime.now(UTC), request.form
    services = form.getlist("service")
    problem = _problem(services, form.get("reason", "").strip())
    try:
        start, end = noise.window_times(form.get("start") or None, form.get("end", ""), now)
    except ValueError as error:
        problem = problem or str(error)
    if problem:
        flash(f"Not added: {problem}")
        return redirect(url_for("maintenance.window_list"))
    with _state().engine.begin() as conn:
        window = windows.add_window(
            conn, services, start=start, end=end, reason=form["reason"].strip(), by=signed_in_name(), now=now
        )
    flash(f"Maintenance window {window.id} added: nobody is paged for {', '.join(window.services)} until it ends.")
    return redirect(url_for("maintenance.window_list"))


@bp.post(f"/maintenance/<int(max={MAX_ID}):window_id>/end")
@login_required
def end(window_id: int):
    """End a window now: incidents it held page at beat's next tick."""
    try:
        with _state().engine.begin() as conn:
            windows.end_window(conn, window_id, by=signed_in_name(), now=datetime.now(UTC))
    except windows.NoSuchWindow:
        abort(404)
    flash(f"Maintenance window {window_id} ended.")
    return redirect(url_for("maintenance.window_list"))


def _problem(services, reason: str) -> str | None:
    unknown = noise.unknown_services(services, {s.name for s in _state().catalog.services})
    if not services or unknown:
        return "services: choose at least one service of the configuration"
    return None if 0 < len(reason) <= 1000 else "reason: say why, in at most 1000 characters"


def _state():
    return current_app.extensions["incidents"]
