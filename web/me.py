"""`/me`: the signed-in person's own page: their next shifts in their time zone, their calendar link (and
its reset), their password. Cover requests (#16 §2) get a section of their own here."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from commands import calendars
from incidents.calendars import PERSON, Feed
from incidents.urls import calendar_url

bp = Blueprint("me", __name__)
DAYS = 14  # how far ahead "my next shifts" looks


@bp.get("/me")
@login_required
def page():
    """My next shifts over `DAYS` days, in my time zone, and my calendar link."""
    state, now = current_app.extensions["incidents"], datetime.now(UTC)
    zone = ZoneInfo(current_user.time_zone)
    found = calendars.next_shifts(state.engine, current_user.name, catalog=state.catalog, now=now, days=DAYS)
    shifts = [
        {"period": p, "start": _local(p.start, zone), "end": _local(p.end, zone), "now": p.start <= now} for p in found
    ]
    return render_template("me.html", shifts=shifts, days=DAYS, calendar=_calendar_link(state, now))


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


def _local(at: datetime, zone: ZoneInfo) -> str:
    """`Mon 1 Mar 09:00 EST`: a time as the person reads it."""
    local = at.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M} {local.tzname()}"
