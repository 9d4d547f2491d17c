"""The tables, as SQLAlchemy Core (the hot path is set-based SQL, not an ORM object per alert), one
module per noun; every table is on `metadata` once this package is imported."""

from store.tables.calendars import calendar_tokens
from store.tables.core import (
    OPEN,
    Id,
    Json,
    Time,
    alerts,
    incident_numbers,
    incidents,
    metadata,
    pagerduty_gate,
    pages,
    raw_requests,
    timeline,
    used_links,
)
from store.tables.oncall import cover_requests, notices, oncall_periods, schedule_looks, schedule_overrides
from store.tables.people import credentials, sign_in_failures
from store.tables.review import (
    DRAFT_REMINDER,
    OPEN_FOLLOW_UP,
    OPEN_REMINDER,
    follow_ups,
    maintenances,
    postmortem_versions,
    postmortems,
    status_overrides,
)
from store.tables.running import (
    changes,
    chat_messages,
    incident_actions,
    incident_lifecycle,
    maintenance_windows,
    status_updates,
)

__all__ = [
    "cover_requests",
    "schedule_overrides",
    "notices",
    "schedule_looks",
    "oncall_periods",
    "alerts",
    "calendar_tokens",
    "changes",
    "chat_messages",
    "credentials",
    "DRAFT_REMINDER",
    "follow_ups",
    "Id",
    "incident_actions",
    "incident_lifecycle",
    "incident_numbers",
    "incidents",
    "Json",
    "maintenance_windows",
    "maintenances",
    "metadata",
    "OPEN",
    "OPEN_FOLLOW_UP",
    "OPEN_REMINDER",
    "pagerduty_gate",
    "pages",
    "postmortem_versions",
    "postmortems",
    "raw_requests",
    "sign_in_failures",
    "status_overrides",
    "status_updates",
    "Time",
    "timeline",
    "used_links",
]
