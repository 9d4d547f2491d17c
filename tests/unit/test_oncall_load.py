"""On-call load (incidents/oncall_load.py): hours, nights and weekends on each person's wall clock, across
clock changes, with properties over time zones and periods."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incidents.oncall_load import (
    Period,
    at_night,
    day_seconds,
    night_seconds,
    recorded_end,
    report,
    weekend_seconds,
    zone_name,
)
from incidents.oncall_load_figures import as_json, csv_rows, text_table, window
from incidents.services import Person

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(zone: ZoneInfo, *args) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)


def test_a_night_is_ten_hours_on_an_ordinary_day():
    start, end = local(NEW_YORK, 2027, 3, 1, 12), local(NEW_YORK, 2027, 3, 2, 12)
    assert night_seconds(start, end, NEW_YORK) == 10 * HOUR
    assert day_seconds(start, end, NEW_YORK) == 14 * HOUR


def test_the_night_clocks_go_forward_lasts_nine_hours_and_the_night_they_go_back_eleven():
    # New York: 14 March 2027 02:00 -> 03:00; 7 November 2027 02:00 -> 01:00.
    spring = night_seconds(local(NEW_YORK, 2027, 3, 13, 12), local(NEW_YORK, 2027, 3, 14, 12), NEW_YORK)
    autumn = night_seconds(local(NEW_YORK, 2027, 11, 6, 12), local(NEW_YORK, 2027, 11, 7, 12), NEW_YORK)
    assert (spring, autumn) == (9 * HOUR, 11 * HOUR)


def test_a_whole_week_on_call_counts_its_nights_and_its_weekend_in_the_persons_zone():
    # Monday 09:00 to Monday 09:00 in Berlin: 7 nights of 10 hours, Saturday and Sunday whole.
    start, end = local(BERLIN, 2027, 6, 7, 9), local(BERLIN, 2027, 6, 14, 9)
    assert night_seconds(start, end, BERLIN) == 70 * HOUR
    assert weekend_seconds(start, end, BERLIN) == 48 * HOUR
    # The same UTC week read on a New York clock: its weekend is New York's Saturday and Sunday.
    assert weekend_seconds(start, end, NEW_YORK) == 48 * HOUR
    assert weekend_seconds(start, local(BERLIN, 2027, 6, 13, 12), NEW_YORK) == 24 * HOUR + 6 * HOUR


def test_a_period_from_friday_evening_to_monday_morning_spans_the_weekend():
    start, end = local(BERLIN, 2027, 6, 11, 18), local(BERLIN, 2027, 6, 14, 8)
    assert weekend_seconds(start, end, BERLIN) == 48 * HOUR
    assert night_seconds(start, end, BERLIN) == 30 * HOUR


def test_a_weekend_over_the_clock_change_is_47_hours():
    start, end = local(BERLIN, 2027, 3, 26, 12), local(BERLIN, 2027, 3, 29, 12)  # 28 March: 02:00 -> 03:00
    assert weekend_seconds(start, end, BERLIN) == 47 * HOUR


def test_pages_at_night_go_by_the_persons_local_clock():
    assert at_night(local(NEW_YORK, 2027, 3, 1, 23, 30), NEW_YORK)
    assert at_night(local(NEW_YORK, 2027, 3, 1, 7, 59), NEW_YORK)
    assert not at_night(local(NEW_YORK, 2027, 3, 1, 8), NEW_YORK)
    assert at_night(utc(2027, 3, 1, 23, 30), BERLIN)  # 00:30 in Berlin
    assert not at_night(utc(2027, 3, 1, 23, 30), NEW_YORK)  # 18:30 in New York


def test_periods_are_clipped_to_the_window_and_overlapping_schedules_count_once():
    since, until = utc(2027, 6, 1), utc(2027, 6, 3)
    periods = [
        Period("alice", utc(2027, 5, 31, 12), utc(2027, 6, 1, 12)),  # 12 hours inside
        Period("alice", utc(2027, 6, 1, 6), utc(2027, 6, 1, 18)),  # a second schedule, overlapping: +6
        Period("bob", utc(2027, 6, 2, 12), None),  # still on call: up to now
    ]
    got = report(periods, [], [], lambda name: "UTC", since=since, until=until, now=utc(2027, 6, 2, 20))
    assert [(load.person, load.on_call / HOUR) for load in got.people] == [("alice", 18.0), ("bob", 8.0)]
    late = report(periods, [], [], lambda name: "UTC", since=since, until=until, now=utc(2027, 6, 9))
    assert late.people[1].on_call == 12 * HOUR  # an open period stops at `until`


def test_pages_and_commands_are_counted_per_person_in_the_window():
    since, until = utc(2027, 6, 1), utc(2027, 6, 8)
    pages = [
        ("alice", utc(2027, 6, 1, 3)),  # 05:00 in Berlin: at night
        ("alice", utc(2027, 6, 1, 12)),
        ("alice", utc(2027, 5, 31, 23)),  # before the window
        ("carol", utc(2027, 6, 2, 12)),
    ]
    commanded = [("alice", 4), ("alice", 4), ("alice", 7), ("dave", 9)]
    zones = {"alice": "Europe/Berlin"}
    got = report([], pages, commanded, lambda n: zones.get(n, "UTC"), since=since, until=until, now=until)
    rows = [(p.person, p.time_zone, p.on_call, p.pages, p.night_pages, p.commanded) for p in got.people]
    assert rows == [
        ("alice", "Europe/Berlin", 0, 2, 1, 2),
        ("carol", "UTC", 0, 1, 0, 0),
        ("dave", "UTC", 0, 0, 0, 1),
    ]


def test_a_period_reaching_the_last_look_is_still_going_while_beat_looks():
    last_look = utc(2027, 6, 1, 12)
    assert recorded_end(last_look, last_look, last_look + timedelta(minutes=1)) is None
    assert recorded_end(last_look, last_look, last_look + timedelta(hours=1)) == last_look  # beat stopped
    assert recorded_end(last_look - timedelta(hours=1), last_look, last_look) == last_look - timedelta(hours=1)
    assert recorded_end(last_look, None, last_look) == last_look


def test_a_persons_zone_is_utc_until_they_have_one():
    assert zone_name(Person("alice", "key")) == "UTC"
    assert zone_name(None) == "UTC"
    assert zone_name(type("P", (), {"time_zone": "Asia/Tokyo"})()) == "Asia/Tokyo"


def test_the_figures_are_hours_for_the_api_the_csv_and_the_table():
    since, until = utc(2027, 6, 1), utc(2027, 6, 2)
    periods = [Period("alice", utc(2027, 6, 1, 0), utc(2027, 6, 1, 9, 30))]
    got = report(periods, [("alice", utc(2027, 6, 1, 1))], [], lambda n: "UTC", since=since, until=until, now=until)
    assert as_json(got)["people"] == [
        {
            "person": "alice",
            "time_zone": "UTC",
            "hours": 9.5,
            "night_hours": 8.0,
            "weekend_hours": 0.0,
            "pages": 1,
            "night_pages": 1,
            "commanded": 0,
        }
    ]
    assert csv_rows(got)[1] == ["alice", "UTC", 9.5, 8.0, 0.0, 1, 1, 0]
    assert text_table(got).splitlines()[2].split() == ["alice", "9.5", "8.0", "0.0", "1", "1", "0", "UTC"]


ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
MOMENTS = st.datetimes(min_value=datetime(2010, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC))


@settings(max_examples=300, deadline=None)
@given(zone=st.sampled_from(ZONES), start=MOMENTS, length=st.integers(0, 24 * 21 * 60))
def test_night_and_day_hours_add_up_to_the_time_on_call_in_any_zone(zone, start, length):
    tz, end = ZoneInfo(zone), start + timedelta(minutes=length)
    total = (end - start).total_seconds()
    nights = night_seconds(start, end, tz)
    assert abs(nights + day_seconds(start, end, tz) - total) < 1e-6
    assert 0 <= weekend_seconds(start, end, tz) <= total


@settings(max_examples=100, deadline=None)
@given(zone=st.sampled_from(ZONES), start=MOMENTS, cut=st.integers(0, 24 * 60 * 9), rest=st.integers(0, 24 * 60 * 9))
def test_a_period_split_in_two_has_the_same_nights_and_weekends(zone, start, cut, rest):
    tz = ZoneInfo(zone)
    middle, end = start + timedelta(minutes=cut), start + timedelta(minutes=cut + rest)
    for count in (night_seconds, weekend_seconds):
        assert abs(count(start, middle, tz) + count(middle, end, tz) - count(start, end, tz)) < 1e-6


def test_the_range_is_read_as_the_incident_reports_and_a_wrong_one_names_its_parameter():
    now = utc(2027, 6, 9, 12)
    assert window(None, None, now) == (utc(2027, 5, 10, 12), now)
    assert window("2027-06-01", "2027-06-08", now) == (utc(2027, 6, 1), utc(2027, 6, 8))
    for since, until, named in [("yesterday", None, "since:"), ("2027-06-08", "2027-06-01", "until:")]:
        with pytest.raises(ValueError, match=named):
            window(since, until, now)
    with pytest.raises(ValueError, match="since: '99999999999d' reaches back before the year 1"):
        window("99999999999d", None, now)


def test_the_tables_heading_names_the_range_to_the_second():
    since = utc(2027, 6, 1, 9, 30) + timedelta(microseconds=979318)  # `--since 30d` is now minus 30 days
    got = report([], [], [], lambda n: "UTC", since=since, until=utc(2027, 6, 2), now=utc(2027, 6, 2))
    assert text_table(got).splitlines()[0].startswith("On-call load 2027-06-01T09:30:00Z to 2027-06-02T00:00:00Z")
