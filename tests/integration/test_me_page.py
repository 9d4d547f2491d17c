"""/me for a signed-in person (#16 §3): next shifts in their time zone, their calendar link and its reset
(a CSRF-protected form), on PostgreSQL and SQLite."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from commands.calendars import next_shifts
from commands.schedules import add_override
from incidents.actors import SYSTEM
from tests.integration.signing_in import csrf_token, signed_in

pytestmark = pytest.mark.both_databases


def calendar_url(html: str) -> str:
    return re.search(r'id="calendar-url"[^>]*value="([^"]+)"', html).group(1)


def test_me_asks_for_sign_in(client):
    answer = client.get("/me")
    assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"]


def test_my_next_shifts_are_shown_in_my_time_zone_with_my_calendar_link(client, engine, catalog):
    signed_in(client, engine, "alice")  # Europe/Paris in the example people.yaml
    html = client.get("/me").get_data(as_text=True)
    assert "Times in your time zone, Europe/Paris" in html
    now = datetime.now(UTC)
    shifts = next_shifts(engine, "alice", catalog=catalog, now=now)
    assert shifts, "the example schedule puts alice on call within 14 days"
    first = shifts[0].start.astimezone(ZoneInfo("Europe/Paris"))
    assert f"{first:%a} {first.day} {first:%b %H:%M} {first.tzname()}" in html  # CET, not UTC
    assert html.count('<td class="schedule">sre-primary') == len(shifts)
    url = calendar_url(html)
    assert url.startswith("http://") and url.endswith(".ics")
    assert f'href="webcal://{url.split("://", 1)[1]}"' in html
    assert client.get(urlsplit(url).path).status_code == 200
    assert 'href="/me"' in client.get("/incidents").get_data(as_text=True)  # the name in the header


def test_someone_on_call_nowhere_is_told_so(client, engine):
    signed_in(client, engine, "sre-manager")
    html = client.get("/me").get_data(as_text=True)
    assert "You are not on call in the next 14 days." in html and "Times in your time zone, UTC" in html


def test_reset_link_needs_the_csrf_token_and_stops_the_old_link_at_once(client, engine):
    signed_in(client, engine, "alice")
    html = client.get("/me").get_data(as_text=True)
    old = calendar_url(html)
    assert client.post("/me/calendar/reset").status_code == 400
    assert calendar_url(client.get("/me").get_data(as_text=True)) == old  # nothing changed
    done = client.post("/me/calendar/reset", data={"csrf_token": csrf_token(html)}, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "Your calendar link was reset" in page
    new = calendar_url(page)
    assert new != old
    assert client.get(urlsplit(old).path).status_code == 404
    assert client.get(urlsplit(new).path).status_code == 200


def test_an_override_under_way_shows_as_on_call_now(client, engine, catalog):
    now = datetime.now(UTC)
    add_override(
        engine, "sre-primary", "sre-manager", now, now + timedelta(hours=2), catalog=catalog, now=now, actor=SYSTEM
    )
    signed_in(client, engine, "sre-manager")
    html = client.get("/me").get_data(as_text=True)
    assert html.count('<td class="schedule">sre-primary') == 1 and "on call now" in html
