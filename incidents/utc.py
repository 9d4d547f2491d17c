"""Time in UTC, handled once: reading a stored datetime, writing one in an answer."""

from datetime import UTC, datetime


def utc(value: datetime | None) -> datetime | None:
    """The datetime with its zone: SQLite hands back naive datetimes, which are UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as every JSON answer writes a time: `2026-12-01T09:30:00.5Z`."""
    if value is None:
        return None
    return utc(value).astimezone(UTC).isoformat().replace("+00:00", "Z")
