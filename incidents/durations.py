"""Durations as operators write them: `30 minutes`, `15m`, `90s`, `2 hours`, `1h30m`, `2 weeks`."""

import re
from datetime import timedelta

_UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}
_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*", re.IGNORECASE)


def parse_duration(text) -> timedelta:
    """A timedelta from `30 minutes` and its kin; a bare number counts as minutes, as in PagerDuty."""
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a duration")
    if isinstance(text, (int, float)):
        return _non_negative(timedelta(minutes=text), text)
    source = str(text).strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", source):
        return _non_negative(timedelta(minutes=float(source)), text)
    pos, seconds = 0, 0.0
    for match in _PART.finditer(source):
        unit = match.group(2).lower()
        if match.start() != pos or unit not in _UNITS:
            raise ValueError(f'"{text}" is not a duration')
        seconds += float(match.group(1)) * _UNITS[unit]
        pos = match.end()
    if pos != len(source) or not source:
        raise ValueError(f'"{text}" is not a duration')
    return timedelta(seconds=seconds)


def _non_negative(value: timedelta, text) -> timedelta:
    if value < timedelta(0):
        raise ValueError(f'"{text}" is not a duration')
    return value


def spoken(length: timedelta) -> str:
    """A length as people read it, the one way every page, entry and report writes one: `45 s`,
    `10 min`, `4 min 10 s`, `2 h`, `2 h 5 min`, `3 days`, `3 days 4 h`."""
    seconds = max(0, round(length.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min" + (f" {rest} s" if rest else "")
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    days, hours = divmod(hours, 24)
    return f"{days} days" + (f" {hours} h" if hours else "")
