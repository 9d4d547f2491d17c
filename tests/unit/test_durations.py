from datetime import timedelta

import pytest

from incidents.durations import parse_duration


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
