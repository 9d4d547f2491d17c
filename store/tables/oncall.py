"""Who is on call, as stored: overrides of a schedule (the schedules themselves are configuration)."""

import sqlalchemy as sa

from store.tables.core import Id, Json, Time, metadata

# Someone on call for a schedule from start_at to end_at instead of whoever its layers say
# (incidents.schedules.Override): stored here, so a configuration reload never loses one. Deleting one
# sets deleted_at; the later-created of two overlapping overrides wins.
schedule_overrides = sa.Table(
    "schedule_overrides",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("schedule", sa.String(64), nullable=False),
    sa.Column("person", sa.String(128), nullable=False),
    sa.Column("start_at", Time, nullable=False),
    sa.Column("end_at", Time, nullable=False),
    sa.Column("created_at", Time, nullable=False),
    sa.Column("created_by", sa.String(160), nullable=False),
    sa.Column("deleted_at", Time),
    sa.Column("deleted_by", sa.String(160)),
    sa.Index("ix_schedule_overrides_schedule_end", "schedule", "end_at"),
)

# What people on a schedule are told (incidents.notices): an outbox. `key` is unique, so a notice decided
# twice (two beats) is stored, and sent, once; beat claims due rows with SKIP LOCKED. `recipients` are
# people's names (email) or empty (the schedule's chat); `delivered` says how it went out: smtp, mailbox
# (no SMTP_HOST: kept for the /mail page), chat, or failed.
notices = sa.Table(
    "notices",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(300), nullable=False, unique=True),
    sa.Column("schedule", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(8), nullable=False),
    sa.Column("recipients", Json, nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", Time, nullable=False),
    sa.Column("next_attempt_at", Time, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("sent_at", Time),
    sa.Column("delivered", sa.String(16)),
    sa.Column("last_error", sa.Text),
    sa.Index("ix_notices_due", "sent_at", "next_attempt_at"),
)

# The last look at each schedule: its final timeline of the next 14 days then (to tell people whose shifts
# changed since), and how far its past is recorded in oncall_periods.
schedule_looks = sa.Table(
    "schedule_looks",
    metadata,
    sa.Column("schedule", sa.String(64), primary_key=True),
    sa.Column("seen_at", Time, nullable=False),
    sa.Column("shifts", Json, nullable=False),
    sa.Column("recorded_until", Time, nullable=False),
)

# Who was on call, recorded as it happens (a configuration change rewrites the future only); the on-call
# load report reads this.
oncall_periods = sa.Table(
    "oncall_periods",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("schedule", sa.String(64), nullable=False),
    sa.Column("person", sa.String(128), nullable=False),
    sa.Column("start_at", Time, nullable=False),
    sa.Column("end_at", Time, nullable=False),
    sa.Index("ix_oncall_periods_schedule_end", "schedule", "end_at"),
    sa.Index("ix_oncall_periods_person_start", "person", "start_at"),
)

# A person on call asks the others on the schedule to cover [start_at, end_at) (incidents.cover); the first to
# take it gets an override (override_id). Taken, cancelled or ended requests stay, for the record.
cover_requests = sa.Table(
    "cover_requests",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("schedule", sa.String(64), nullable=False),
    sa.Column("requester", sa.String(128), nullable=False),
    sa.Column("start_at", Time, nullable=False),
    sa.Column("end_at", Time, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", Time, nullable=False),
    sa.Column("created_by", sa.String(160), nullable=False),
    sa.Column("taken_by", sa.String(128)),
    sa.Column("taken_at", Time),
    sa.Column("override_id", Id),
    sa.Column("cancelled_at", Time),
    sa.Column("cancelled_by", sa.String(160)),
    sa.Index("ix_cover_requests_schedule_end", "schedule", "end_at"),
)
