"""Who is on call (incidents/schedules.py): the time semantics of issue #16 §1, against the zoneinfo
database, with examples and properties over time zones and rotation lengths."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import given, settings
from hypothesis import strategies as st

from incidents.periods import periods
from incidents.schedules import (
    Layer,
    Override,
    Schedule,
    Window,
    final,
    handoff,
    instant,
    layer_shifts,
    on_call,
)

NEW_YORK = ZoneInfo("America/New_York")
WEEKLY = Layer("weekly", datetime(2027, 3, 1, 9, 0), timedelta(weeks=1), ("alice", "bob", "carol"))
WEEKDAYS = frozenset(range(5))
BUSINESS = Layer(
    "business-hours",
    datetime(2027, 3, 1, 9, 0),
    timedelta(days=1),
    ("dave", "erin"),
    (Window(WEEKDAYS, time(9), time(18)),),
)
SRE = Schedule("sre-primary", "America/New_York", (WEEKLY, BUSINESS))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_weekly_handoff_stays_on_monday_0900_in_new_york_across_the_clock_change():
    # Daylight saving starts on 14 March 2027 in New York: 09:00 is 14:00 UTC before, 13:00 UTC after.
    assert [handoff(WEEKLY, k, NEW_YORK) for k in range(3)] == [
        utc(2027, 3, 1, 14),
        utc(2027, 3, 8, 14),
        utc(2027, 3, 15, 13),
    ]


def test_a_12_hour_rotation_hands_off_at_0900_and_2100_so_the_shift_over_the_change_is_shorter():
    layer = Layer("halves", datetime(2027, 3, 13, 9, 0), timedelta(hours=12), ("alice", "bob"))
    times = [handoff(layer, k, NEW_YORK) for k in range(4)]
    local = [t.astimezone(NEW_YORK).strftime("%d %H:%M") for t in times]
    assert local == ["13 09:00", "13 21:00", "14 09:00", "14 21:00"]
    assert [b - a for a, b in zip(times, times[1:], strict=False)] == [
        timedelta(hours=12),
        timedelta(hours=11),  # the night the clocks go forward
        timedelta(hours=12),
    ]
    autumn = Layer("halves", datetime(2027, 11, 6, 21, 0), timedelta(hours=12), ("alice", "bob"))
    assert handoff(autumn, 1, NEW_YORK) - handoff(autumn, 0, NEW_YORK) == timedelta(hours=13)


def test_a_handoff_time_that_does_not_exist_happens_at_the_first_valid_instant_after_it():
    # 02:30 on 14 March 2027 does not exist in New York: clocks go from 02:00 to 03:00 (07:00 UTC).
    moment = instant(datetime(2027, 3, 14, 2, 30), NEW_YORK)
    assert moment == utc(2027, 3, 14, 7, 0)
    assert moment.astimezone(NEW_YORK).strftime("%H:%M") == "03:00"  # zoneinfo alone would say 03:30


def test_an_ambiguous_handoff_time_happens_at_its_first_occurrence():
    # 01:30 on 7 November 2027 happens twice in New York: first at 05:30 UTC (EDT), then 06:30 (EST).
    assert instant(datetime(2027, 11, 7, 1, 30), NEW_YORK) == utc(2027, 11, 7, 5, 30)


def test_before_a_layers_start_nobody_is_on_call_on_it():
    assert on_call(Schedule("s", "America/New_York", (WEEKLY,)), utc(2027, 2, 20, 12)) is None
    assert on_call(Schedule("s", "America/New_York", (WEEKLY,)), utc(2027, 3, 1, 14)) == "alice"


def test_a_restricted_layer_counts_turns_per_shift_that_happens_so_nobody_is_skipped():
    # Monday 1 March 2027 dave, Tuesday erin ... Friday 5 March dave; the weekend's shifts do not
    # happen, so Monday 8 March is erin's: the turn goes on from Friday, not from the calendar.
    people = [shift.person for shift in layer_shifts(BUSINESS, NEW_YORK, utc(2027, 3, 1), utc(2027, 3, 13))]
    assert people == ["dave", "erin", "dave", "erin", "dave", "erin", "dave", "erin", "dave", "erin"]


def test_a_later_layer_wins_inside_its_windows_and_the_earlier_one_holds_the_rest():
    monday = final(SRE, utc(2027, 3, 1, 14), utc(2027, 3, 2, 14))
    assert [(s.person, s.start, s.end) for s in monday] == [
        ("dave", utc(2027, 3, 1, 14), utc(2027, 3, 1, 23)),  # 09:00-18:00 EST
        ("alice", utc(2027, 3, 1, 23), utc(2027, 3, 2, 14)),
    ]


def test_a_window_that_crosses_midnight_ends_the_next_morning():
    nights = Layer(
        "nights",
        datetime(2027, 3, 1, 0, 0),
        timedelta(weeks=1),
        ("olga",),
        (Window(frozenset({0}), time(22), time(6)),),
    )
    spans = layer_shifts(nights, NEW_YORK, utc(2027, 3, 1), utc(2027, 3, 3))
    assert [(s.start, s.end) for s in spans] == [(utc(2027, 3, 2, 3), utc(2027, 3, 2, 11))]


def test_the_later_created_of_two_overlapping_overrides_wins_for_the_overlap():
    first = Override("dave", utc(2027, 3, 2, 0), utc(2027, 3, 2, 12), created=utc(2027, 2, 1), id=1)
    second = Override("erin", utc(2027, 3, 2, 6), utc(2027, 3, 2, 18), created=utc(2027, 2, 2), id=2)
    shifts = final(Schedule("s", "America/New_York", (WEEKLY,)), utc(2027, 3, 2), utc(2027, 3, 3), (second, first))
    assert [(s.person, s.start.hour, s.end.hour) for s in shifts] == [("dave", 0, 6), ("erin", 6, 18), ("alice", 18, 0)]


ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    hours=st.sampled_from([6, 8, 12, 24, 48, 168, 336]),
    start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
    k=st.integers(0, 400),
)
def test_every_handoff_is_on_the_layers_wall_clock_time_unless_that_time_does_not_exist(zone, hours, start, k):
    start = start.replace(second=0, microsecond=0)
    layer = Layer("l", start, timedelta(hours=hours), ("a", "b"))
    tz = ZoneInfo(zone)
    moment = handoff(layer, k, tz)
    wanted = start + k * layer.rotation
    shown = moment.astimezone(tz).replace(tzinfo=None)
    assert shown == wanted or (shown > wanted and shown - wanted <= timedelta(hours=3))
    assert handoff(layer, k + 1, tz) > moment  # time moves on: no shift of no length, no shift backwards


@settings(max_examples=100, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    hours=st.sampled_from([8, 12, 24, 168]),
    at=st.datetimes(min_value=datetime(2027, 1, 3), max_value=datetime(2029, 1, 1), timezones=st.just(UTC)),
)
def test_the_final_schedule_covers_the_asked_range_once_without_holes_or_overlaps(zone, hours, at):
    layer = Layer("l", datetime(2027, 1, 1, 9), timedelta(hours=hours), ("a", "b", "c"))
    restricted = Layer(
        "r", datetime(2027, 1, 1, 9), timedelta(days=1), ("x", "y"), (Window(WEEKDAYS, time(9), time(17)),)
    )
    shifts = final(Schedule("s", zone, (layer, restricted)), at, at + timedelta(days=3))
    assert shifts[0].start == at and shifts[-1].end == at + timedelta(days=3)
    assert all(a.end == b.start for a, b in zip(shifts, shifts[1:], strict=False))
    assert all(a.person != b.person for a, b in zip(shifts, shifts[1:], strict=False))
    assert all(s.person is not None for s in shifts)  # the unrestricted layer always has someone


def slow_final(schedule: Schedule, since: datetime, until: datetime, overrides=()):
    """final() as first written: every shift laid over the timeline one at a time."""
    from incidents.schedules import Shift, _laid_over, _merged

    timeline = [Shift(None, since, until)]
    for layer in schedule.layers:
        for shift in layer_shifts(layer, schedule.zone, since, until):
            timeline = _laid_over(timeline, shift)
    for o in sorted(overrides, key=lambda o: (o.created, o.id)):
        timeline = _laid_over(timeline, Shift(o.person, o.start, o.end, "override"))
    return _merged([s for s in timeline if s.end > since and s.start < until], since, until)


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    hours=st.sampled_from([8, 12, 24, 168]),
    at=st.datetimes(min_value=datetime(2026, 12, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)),
    days=st.integers(0, 20),
    offsets=st.lists(st.tuples(st.integers(-400, 800), st.integers(1, 300)), max_size=6),
)
def test_final_and_whole_periods_agree_with_laying_one_shift_at_a_time_over_a_wide_range(
    zone, hours, at, days, offsets
):
    layer = Layer("l", datetime(2027, 1, 1, 9), timedelta(hours=hours), ("a", "b", "a", "c"))
    restricted = Layer(
        "r", datetime(2027, 1, 1, 9), timedelta(days=1), ("a", "y"), (Window(WEEKDAYS, time(9), time(17)),)
    )
    schedule = Schedule("s", zone, (layer, restricted))
    asked = [
        Override("o" if n % 2 else "a", at + timedelta(hours=h), at + timedelta(hours=h + length), at + timedelta(n), n)
        for n, (h, length) in enumerate(offsets)
    ]
    until = at + timedelta(days=days, hours=1)
    assert final(schedule, at, until, asked) == slow_final(schedule, at, until, asked)
    reach = timedelta(days=90)
    wide = slow_final(schedule, at - reach, until + reach, asked)
    expected = [s for s in wide if s.person is not None and s.end > at and s.start < until]
    assert [(s.person, s.start, s.end) for s in periods(schedule, at, until, asked, reach)] == [
        (s.person, s.start, s.end) for s in expected
    ]
