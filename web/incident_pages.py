"""The incident list and the incident page, for signed-in people (the forms are in incident_forms)."""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import login_required

from incidents import urls
from incidents.lifecycle import Phase, StatusWord
from incidents.references import incident_number
from incidents.severity import Severity
from store import postmortems
from store.incident_list import ORDERS, Shown, list_for_people
from store.queries import IncidentFilter
from web import postmortem_pages
from web.channel_view import page_context
from web.incident_view import incident_summary

bp = Blueprint("incident_pages", __name__)
PAGE_SIZE = 25
STATUSES = ("triggered", "acknowledged", "resolved")
# A long incident shows its newest timeline entries and its first alerts (firing first);
# `?timeline=all` and `?alerts=all` show every one.
TIMELINE_SHOWN, ALERTS_SHOWN = 100, 50
SEARCH_MOST, SEARCH_TERMS = 200, 8  # a search's characters and terms: each term is one more condition


@bp.get("/")
@login_required
def home():
    """The incident list is the home page."""
    return redirect(url_for("incident_pages.incident_list"))


@bp.get("/incidents")
@login_required
def incident_list():
    """Open incidents first (SEV1s first among them), then newest, or in the order asked; filters by status,
    severity, service, commander, status word and phase; a free-text search (`q`); 25 a page."""
    chosen, page, query = _filters(), _page(), request.args.get("q", "")[:SEARCH_MOST]
    where = IncidentFilter(chosen["status"], tuple(int(Severity[s]) for s in chosen["severity"]), chosen["service"])
    order = request.args.get("order") if request.args.get("order") in ORDERS else "open"
    shown = Shown(chosen["commander"], chosen["word"], chosen["phase"], tuple(query.split()[:SEARCH_TERMS]), order)
    with _state().engine.connect() as conn:
        rows, total = list_for_people(conn, where, shown, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    now = datetime.now(UTC)
    return render_template(
        "incident_list.html",
        incidents=[_listed(row, now) for row in rows],
        chosen=chosen,
        choices=_choices(),
        query=query,
        order=order,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        total=total,
        page_url=_page_url,
    )


@bp.get("/incidents/<incident_ref>")
@login_required
def incident_page(incident_ref: str):
    """One incident as its channel: status, targets, checklist, updates, forms to act, pages, alerts, timeline."""
    return render_incident(_number(incident_ref))


def render_incident(number: int, refused: dict | None = None) -> str:
    """The incident page; `refused`: a form the page shows again with what was typed and its errors
    (`{"form": name, "values": {...}, "errors": {field: message}}`, web/incident_forms)."""
    limits = {
        "timeline_limit": None if request.args.get("timeline") == "all" else TIMELINE_SHOWN,
        "alerts_limit": None if request.args.get("alerts") == "all" else ALERTS_SHOWN,
    }
    state = _state()
    with state.engine.connect() as conn:
        settings = state.settings
        ack = lambda page: urls.page_ack_url(settings.public_url, settings.secret_key, page)  # noqa: E731
        context = page_context(conn, number, state.catalog, datetime.now(UTC), ack_url=ack, **limits)
        found = postmortems.read(conn, context["incident"]["number"]) if context else None
    if context is None:
        abort(404)
    pm_badge = postmortem_pages.badge(found, datetime.now(UTC)) if found else ""
    # A refused form folded away in a card (status, severity, handover, role, team) is shown open.
    open_form = refused["form"] if refused else None
    return render_template("incident.html", **context, postmortem_badge=pm_badge, refused=refused, open_form=open_form)


def _listed(row, now: datetime) -> dict:
    """A row of the list: the summary, its commander and its badges."""
    due = row.next_update_due_at
    overdue = row.status != "resolved" and due is not None and (due <= now or (row.update_misses or 0) > 0)
    return incident_summary(row) | {
        "commander": row.commander,
        "word": row.status_word,
        "phase": row.phase,
        "breaches": list(row.breaches or ()),
        "update_overdue": overdue,
    }


def _page() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 10**6 else 1


def _page_url(page: int) -> str:
    """The list's URL for another page, with the same filters."""
    args = request.args.to_dict(flat=False) | {"page": [str(page)]}
    return url_for("incident_pages.incident_list", **args)


def _state():
    return current_app.extensions["incidents"]


def _number(incident_ref: str) -> int:
    number = incident_number(incident_ref)
    if number is None:
        abort(404)
    return number


def _choices() -> dict:
    services = tuple(service.name for service in _state().catalog.services)
    people = tuple(sorted(_state().catalog.people))
    return {
        "status": STATUSES,
        "severity": tuple(s.name for s in Severity),
        "service": services,
        "commander": people,
        "word": tuple(word.value for word in StatusWord),
        "phase": tuple(phase.value for phase in Phase),
    }


def _filters() -> dict:
    """The filters asked for, keeping only known values (an unknown one is ignored, not an error page)."""
    choices = _choices()
    return {name: tuple(v for v in request.args.getlist(name) if v in allowed) for name, allowed in choices.items()}
