"""Time in UTC, handled once: reading a stored datetime, writing one in an answer."""

from datetime import UTC, datetime


def utc(value: datetime | None) -> datetime | None:
    """The datetime in UTC, aware: SQLite hands back naive datetimes, which are UTC. The one place that says so."""
    if value is None or value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as every JSON answer writes a time: `2026-12-01T09:30:00.5Z`."""
    if value is None:
        return None
    return utc(value).isoformat().replace("+00:00", "Z")
