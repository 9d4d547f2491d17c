"""`/me`: the signed-in person's own page: their next shifts in their time zone, their cover requests (theirs
and those asked of them; the forms are web/cover_forms.py), their calendar link (and its reset)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from commands import calendars, cover
from incidents.calendars import PERSON, Feed
from incidents.urls import calendar_url

bp = Blueprint("me", __name__)
DAYS = 14  # how far ahead "my next shifts" looks


@bp.get("/me")
@login_required
def page():
    """My next shifts over `DAYS` days, in my time zone, my cover requests and my calendar link. `?cover=N`
    fills the cover request form with my N-th shift."""
    return answer()


def answer(values: dict | None = None, errors: dict | None = None, status: int = 200, password_errors=None):
    """The page; `values` and `errors` of a refused cover request form, or a refused password form's
    errors (web/password_forms), shown in it."""
    state, now = current_app.extensions["incidents"], datetime.now(UTC)
    zone = ZoneInfo(current_user.time_zone)
    found = calendars.next_shifts(state.engine, current_user.name, catalog=state.catalog, now=now, days=DAYS)
    shifts = [
        {"period": p, "start": _local(p.start, zone), "end": _local(p.end, zone), "now": p.start <= now} for p in found
    ]
    if values is None:
        values = _cover_values(found, request.args.get("cover", ""), zone)
    mine, asked = cover.for_person(state.engine, current_user.name, catalog=state.catalog, now=now)
    requests = {
        "mine": [_request(r, zone, now) for r in mine],
        "asked": [_request(r, zone, now) for r in asked],
        "schedules": [name for name, rules in state.catalog.schedules.items() if _part_of(rules, current_user.name)],
    }
    page = render_template(
        "me.html",
        shifts=shifts,
        days=DAYS,
        calendar=_calendar_link(state, now),
        cover=requests,
        values=values,
        errors=errors or {},
        password_errors=password_errors or {},
    )
    return page, status


@bp.post("/me/calendar/reset")
@login_required
def reset_calendar():
    """A new calendar link: apps subscribed to the old one stop getting updates at once."""
    state = current_app.extensions["incidents"]
    feed = Feed(PERSON, current_user.name)
    calendars.reset(
        state.engine, feed, catalog=state.catalog, secret_key=state.settings.secret_key, now=datetime.now(UTC)
    )
    flash("Your calendar link was reset: subscribe again with the new link below; the old one no longer works.")
    return redirect(url_for("me.page"))


def _calendar_link(state, now: datetime) -> dict:
    """The feed's https URL (to paste) and its webcal:// twin (to open in a calendar app)."""
    feed, key = Feed(PERSON, current_user.name), state.settings.secret_key
    url = calendar_url(
        state.settings.public_url,
        calendars.url_token(state.engine, feed, catalog=state.catalog, secret_key=key, now=now),
    )
    return {"url": url, "webcal": "webcal://" + url.split("://", 1)[1]}


def _cover_values(shifts, index: str, zone: ZoneInfo) -> dict:
    """The cover request form filled with shift number `index` (the link beside each shift), else empty."""
    if not index.isdigit() or int(index) >= len(shifts):
        return {"schedule": "", "start": "", "end": "", "note": ""}
    shift = shifts[int(index)]
    start = max(shift.start, datetime.now(UTC))
    return {"schedule": shift.schedule, "start": _input(start, zone), "end": _input(shift.end, zone), "note": ""}


def _input(at: datetime, zone: ZoneInfo) -> str:
    """`2027-03-01T09:00`, as <input type=datetime-local> takes a local time."""
    return at.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def _request(request_, zone: ZoneInfo, now: datetime) -> dict:
    return {
        "request": request_,
        "state": request_.state(now),
        "start": _local(max(request_.start, now), zone),
        "end": _local(request_.end, zone),
    }


def _part_of(schedule, person: str) -> bool:
    return any(person in layer.participants for layer in schedule.layers)


def _local(at: datetime, zone: ZoneInfo) -> str:
    """`Mon 1 Mar 09:00 EST`: a time as the person reads it."""
    local = at.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M} {local.tzname()}"
