"""Calendar feeds (#16 §4): a feed's URL token (created on first use, reset on demand), the feed a token
opens, and a person's next shifts. incidents/calendars.py decides what a feed holds."""

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from commands.work import NotFound
from incidents import calendars
from incidents.calendars import PERSON, SCHEDULE, Feed, Period
from incidents.services import Catalog
from store import calendar_tokens, overrides


def url_token(engine: sa.Engine, feed: Feed, *, catalog: Catalog, secret_key: str, now: datetime) -> str:
    """The token of the feed's URL, its nonce stored on first use."""
    _known(catalog, feed)
    with engine.begin() as conn:
        nonce = calendar_tokens.nonce(conn, feed) or calendar_tokens.create(conn, feed, _nonce(), now=now)
    return calendars.token(secret_key, feed, nonce)


def reset(engine: sa.Engine, feed: Feed, *, catalog: Catalog, secret_key: str, now: datetime) -> str:
    """A new token for the feed: the old URL stops working at once."""
    _known(catalog, feed)
    nonce = _nonce()
    with engine.begin() as conn:
        calendar_tokens.replace(conn, feed, nonce, now=now)
    return calendars.token(secret_key, feed, nonce)


def feed_text(
    engine: sa.Engine, presented: str, *, catalog: Catalog, secret_key: str, now: datetime, domain: str
) -> bytes:
    """The iCalendar document of the feed whose token is `presented`; NotFound for no such feed (or one whose
    person or schedule has left the configuration)."""
    with engine.connect() as conn:
        feed = calendars.feed_of(presented, secret_key, calendar_tokens.every_nonce(conn))
        if feed is None or not _exists(catalog, feed):
            raise NotFound("no such calendar")
        zone = catalog.people[feed.owner].time_zone if feed.kind == PERSON else catalog.schedules[feed.owner].time_zone
        since, until = calendars.window(now, zone)
        found = _periods(conn, catalog, feed, since, until)
    return calendars.ics(feed, found, now=now, domain=domain)


def next_shifts(engine: sa.Engine, person: str, *, catalog: Catalog, now: datetime, days: int = 14) -> list[Period]:
    """`person`'s on-call periods on every schedule from now to `days` ahead (one under way included)."""
    with engine.connect() as conn:
        return _periods(conn, catalog, Feed(PERSON, person), now, now + timedelta(days=days))


def _periods(conn, catalog: Catalog, feed: Feed, since: datetime, until: datetime) -> list[Period]:
    names = [feed.owner] if feed.kind == SCHEDULE else list(catalog.schedules)
    reach = calendars.REACH
    asked = overrides.meeting_each(conn, names, since - reach, until + reach)
    person = feed.owner if feed.kind == PERSON else None
    return calendars.on_call_periods([catalog.schedules[n] for n in names], asked, since, until, person=person)


def _nonce() -> str:
    return secrets.token_urlsafe(24)


def _exists(catalog: Catalog, feed: Feed) -> bool:
    return feed.owner in (catalog.people if feed.kind == PERSON else catalog.schedules)


def _known(catalog: Catalog, feed: Feed) -> None:
    if not _exists(catalog, feed):
        raise NotFound(f"no {feed.kind} called {feed.owner}")
