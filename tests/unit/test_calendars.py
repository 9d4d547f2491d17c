"""Calendar feeds (incidents/calendars.py): the events, written as RFC 5545 and read back with icalendar."""

import re
from datetime import UTC, datetime, timedelta

import icalendar

from incidents.calendars import (
    PERSON,
    SCHEDULE,
    Feed,
    feed_of,
    ics,
    on_call_periods,
    token,
    window,
)
from incidents.schedules import Layer, Override, Schedule

NOW = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)  # a Wednesday, in the second daily shift of the schedule
DAILY = Layer("daily", datetime(2027, 3, 1, 9, 0), timedelta(days=1), ("alice", "bob"))
WEEKLY = Layer("weekly", datetime(2027, 3, 1, 9, 0), timedelta(weeks=1), ("carol", "alice"))
SRE = Schedule("sre-primary", "America/New_York", (DAILY,), handoff_notice=timedelta(minutes=30))
DB = Schedule("db", "Europe/Paris", (WEEKLY,))


def built(feed: Feed, schedules=(SRE, DB), overrides=None, now=NOW) -> icalendar.Calendar:
    since, until = window(now, "UTC")
    found = on_call_periods(
        schedules, overrides or {}, since, until, person=feed.owner if feed.kind == PERSON else None
    )
    return icalendar.Calendar.from_ical(ics(feed, found, now=now, domain="incidents.example.com"))


def events(calendar: icalendar.Calendar) -> list:
    return list(calendar.walk("VEVENT"))


def test_a_schedule_feed_has_one_event_per_period_from_today_for_60_days_in_utc():
    calendar = built(Feed(SCHEDULE, "sre-primary"), schedules=(SRE,))
    found = events(calendar)
    # Daily handoffs at 09:00 New York (14:00 UTC, 13:00 from 14 March): today's running shift from
    # 2 March 14:00 UTC, then one a day until past 60 days from now.
    starts = [event.decoded("dtstart") for event in found]
    assert starts[0] == datetime(2027, 3, 2, 14, tzinfo=UTC)
    assert starts[-1] <= NOW + timedelta(days=60) < found[-1].decoded("dtend")
    assert len(found) == 61  # 2 March to 1 May
    text = calendar.to_ical().decode()
    times = [line for line in text.splitlines() if line.startswith(("DTSTART", "DTEND"))]
    assert len(times) == 2 * 61 and all(re.fullmatch(r"DT(START|END):\d{8}T\d{6}Z", line) for line in times)
    assert "DTSTART:20270302T140000Z" in text  # in UTC, no TZID
    assert datetime(2027, 3, 15, 13, tzinfo=UTC) in starts  # 09:00 New York after the clocks went forward
    assert [str(event["summary"]) for event in found[:2]] == ["sre-primary: bob", "sre-primary: alice"]
    assert str(calendar["x-wr-calname"]) == "On call: sre-primary"


def test_consecutive_shifts_of_one_person_are_one_event():
    # An override gives bob alice's day between two of his own: three days running, one period.
    override = Override("bob", datetime(2027, 3, 3, 14, tzinfo=UTC), datetime(2027, 3, 4, 14, tzinfo=UTC), NOW)
    found = events(built(Feed(PERSON, "bob"), schedules=(SRE,), overrides={"sre-primary": [override]}))
    assert (found[0].decoded("dtstart"), found[0].decoded("dtend")) == (
        datetime(2027, 3, 2, 14, tzinfo=UTC),
        datetime(2027, 3, 5, 14, tzinfo=UTC),
    )


def test_a_person_feed_holds_their_periods_on_every_schedule_and_nobody_elses():
    calendar = built(Feed(PERSON, "alice"))
    found = events(calendar)
    summaries = {str(event["summary"]) for event in found}
    assert summaries == {"On call: sre-primary", "On call: db"}
    assert all("alice" in str(event["description"]) for event in found)
    assert str(calendar["x-wr-calname"]) == "On call: alice"
    # db: carol this week, alice the next (Monday 09:00 Paris is 08:00 UTC).
    db = [event for event in found if str(event["summary"]) == "On call: db"]
    assert db[0].decoded("dtstart") == datetime(2027, 3, 8, 8, tzinfo=UTC)


def test_uids_are_the_same_from_one_build_to_the_next_and_differ_between_periods():
    feed = Feed(SCHEDULE, "sre-primary")
    first = [str(event["uid"]) for event in events(built(feed, schedules=(SRE,)))]
    later = [str(event["uid"]) for event in events(built(feed, schedules=(SRE,), now=NOW + timedelta(hours=3)))]
    assert later[: len(first)] == first  # three hours on, the window reaches one period further
    assert len(set(first)) == len(first)
    assert all(uid.endswith("@incidents.example.com") for uid in first)
    # The same period in the person's feed has the same UID: it is the same event.
    bobs = events(built(Feed(PERSON, "bob"), schedules=(SRE,)))
    assert str(bobs[0]["uid"]) == first[0]


def test_a_person_is_reminded_the_schedules_handoff_notice_before_each_period():
    found = events(built(Feed(PERSON, "alice")))
    triggers = {str(event["summary"]): [a.decoded("trigger") for a in event.walk("VALARM")] for event in found}
    assert triggers == {"On call: sre-primary": [timedelta(minutes=-30)], "On call: db": [timedelta(hours=-1)]}
    assert all(str(alarm["action"]) == "DISPLAY" for event in found for alarm in event.walk("VALARM"))


def test_a_schedule_feed_reminds_nobody():
    assert not any(event.walk("VALARM") for event in events(built(Feed(SCHEDULE, "sre-primary"), schedules=(SRE,))))


def test_an_empty_feed_is_still_a_calendar():
    calendar = built(Feed(PERSON, "nobody"))
    assert events(calendar) == [] and str(calendar["version"]) == "2.0"


def test_the_window_starts_at_midnight_in_the_owners_zone():
    since, until = window(datetime(2027, 3, 3, 3, 0, tzinfo=UTC), "America/New_York")
    assert since == datetime(2027, 3, 2, 5, 0, tzinfo=UTC)  # 2 March 00:00 EST: it is still the 2nd there
    assert until == datetime(2027, 5, 2, 3, 0, tzinfo=UTC)


def test_a_token_opens_its_feed_only_and_a_new_nonce_closes_it():
    alice, db = Feed(PERSON, "alice"), Feed(SCHEDULE, "db")
    stored = [(alice, "n1"), (db, "n2")]
    assert feed_of(token("key", alice, "n1"), "key", stored) == alice
    assert feed_of(token("key", db, "n2"), "key", stored) == db
    assert feed_of(token("key", alice, "n1"), "key", [(alice, "n3"), (db, "n2")]) is None  # reset
    assert feed_of(token("other key", alice, "n1"), "key", stored) is None
    assert feed_of("not-a-token-é", "key", stored) is None
    assert token("key", alice, "n1") != token("key", Feed(SCHEDULE, "alice"), "n1")


def test_an_override_puts_someone_who_is_no_participant_in_their_feed():
    override = Override("dave", datetime(2027, 3, 10, 8, tzinfo=UTC), datetime(2027, 3, 10, 20, tzinfo=UTC), NOW)
    found = events(built(Feed(PERSON, "dave"), overrides={"db": [override]}))
    assert [(str(e["summary"]), e.decoded("dtstart"), e.decoded("dtend")) for e in found] == [
        ("On call: db", override.start, override.end)
    ]
