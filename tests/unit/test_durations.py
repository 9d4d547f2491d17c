from datetime import timedelta

import pytest

from incidents.durations import parse_duration, spoken


@pytest.mark.parametrize(
    "text, expected",
    [
        ("30 minutes", timedelta(minutes=30)),
        ("15m", timedelta(minutes=15)),
        ("90s", timedelta(seconds=90)),
        ("2 hours", timedelta(hours=2)),
        ("1h30m", timedelta(minutes=90)),
        ("1 day", timedelta(days=1)),
        (5, timedelta(minutes=5)),
        ("5", timedelta(minutes=5)),
    ],
)
def test_durations_are_read_as_operators_write_them(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["30 minuets", "", "m", "10 parsecs", "-5", "5 m extra", True])
def test_anything_else_is_not_a_duration(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_every_length_is_written_one_way():
    lengths = (0, 45, 60, 250, 3600, 7500, 47 * 3600, 3 * 86400 + 7200, 3 * 86400)
    assert [spoken(timedelta(seconds=s)) for s in lengths] == [
        "0 s",
        "45 s",
        "1 min",
        "4 min 10 s",
        "1 h",
        "2 h 5 min",
        "47 h",
        "3 days 2 h",
        "3 days",
    ]
