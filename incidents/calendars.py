"""Calendars of on-call periods (issue #16 §4): what a feed holds, as RFC 5545 text, and its secret token.

- A feed is a person's (their periods on every schedule) or a schedule's (everyone's periods on it).
- One event per on-call period (consecutive shifts of one person merged, incidents.periods), from
  the start of today in the owner's time zone (so a running shift shows) to `AHEAD` from now.
- Times are written in UTC. An event's UID is derived from the schedule, the person and the period's start,
  so it is the same from one fetch to the next and a calendar app updates the event instead of adding one.
- A person's events carry a reminder (VALARM) the schedule's `handoff_notice` before the period starts; a
  schedule's do not: whoever subscribes to a whole schedule would be reminded of everybody's shifts.
- A feed's URL token is an HMAC of the feed with SECRET_KEY and a nonce stored for it: the database alone
  does not give the URLs away, and a new nonce (a reset) stops the old URL at once.
"""

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from incidents.periods import periods
from incidents.schedules import Override, Schedule

PERSON, SCHEDULE = "person", "schedule"
AHEAD = timedelta(days=60)  # a feed holds at least this far ahead
REACH = timedelta(days=90)  # how far back a period under way is followed to its start (its UID's)
PRODID = "-//incident-ingest//on-call calendar//EN"


@dataclass(frozen=True)
class Feed:
    """Whose calendar: a person's (`kind` PERSON) or a schedule's (`kind` SCHEDULE), by name."""

    kind: str
    owner: str


@dataclass(frozen=True)
class Period:
    """`person` on call for `schedule` from `start` to `end` (aware UTC); `notice` before it they are reminded."""

    schedule: str
    person: str
    start: datetime
    end: datetime
    notice: timedelta


def window(now: datetime, time_zone: str) -> tuple[datetime, datetime]:
    """What a feed covers: from the start of today in `time_zone` to `AHEAD` from now."""
    local = now.astimezone(ZoneInfo(time_zone))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(UTC), now + AHEAD


def on_call_periods(
    schedules: Iterable[Schedule],
    overrides: Mapping[str, list[Override]],
    since: datetime,
    until: datetime,
    *,
    person: str | None = None,
) -> list[Period]:
    """The whole on-call periods that meet [since, until) on these schedules (only `person`'s when given),
    ordered by start; `overrides` by schedule name."""
    found = [
        Period(schedule.name, shift.person, shift.start, shift.end, schedule.handoff_notice)
        for schedule in schedules
        if person is None or _may_have(schedule, overrides.get(schedule.name, ()), person)
        for shift in periods(schedule, since, until, overrides.get(schedule.name, ()), REACH)
        if person is None or shift.person == person
    ]
    return sorted(found, key=lambda p: (p.start, p.schedule, p.person))


def _may_have(schedule: Schedule, overrides, person: str) -> bool:
    """Whether `person` can be on call on the schedule at all (a participant, or given an override): the
    others are not worked out."""
    return any(person in layer.participants for layer in schedule.layers) or any(o.person == person for o in overrides)


def ics(feed: Feed, found: list[Period], *, now: datetime, domain: str) -> bytes:
    """The feed as an iCalendar document; `domain` (the public URL's host) ends each UID."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"On call: {feed.owner}")
    # RFC 7986 and its older spelling: how often a subscribing app should fetch the feed again.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for period in found:
        calendar.add_component(_event(feed, period, now, domain))
    return calendar.to_ical()


def uid(period: Period, domain: str) -> str:
    """The same for the same schedule, person and start, whenever it is asked."""
    key = f"{period.schedule}\n{period.person}\n{period.start.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return f"{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}"


def summary(feed: Feed, period: Period) -> str:
    """`On call: sre-primary` in a person's calendar; `sre-primary: alice` in the schedule's."""
    return f"On call: {period.schedule}" if feed.kind == PERSON else f"{period.schedule}: {period.person}"


def _event(feed: Feed, period: Period, now: datetime, domain: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid(period, domain))
    event.add("dtstamp", now.astimezone(UTC).replace(microsecond=0))
    event.add("dtstart", period.start.astimezone(UTC))
    event.add("dtend", period.end.astimezone(UTC))
    event.add("summary", summary(feed, period))
    event.add("description", f"{period.person} is on call for schedule {period.schedule}.")
    event.add("transp", "TRANSPARENT")  # being on call does not make one busy
    if feed.kind == PERSON:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"On call for {period.schedule} soon")
        alarm.add("trigger", -period.notice)
        event.add_component(alarm)
    return event


def token(secret_key: str, feed: Feed, nonce: str) -> str:
    """The secret in the feed's URL (43 URL-safe characters)."""
    message = f"calendar\n{feed.kind}\n{feed.owner}\n{nonce}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def feed_of(presented: str, secret_key: str, nonces: Iterable[tuple[Feed, str]]) -> Feed | None:
    """The feed whose token is `presented`, among the stored (feed, nonce) pairs; None for no feed."""
    found = None
    for feed, nonce in nonces:
        # Every pair is compared, in constant time: how long an answer takes says nothing of the token.
        if hmac.compare_digest(token(secret_key, feed, nonce).encode(), presented.encode()):
            found = feed
    return found
