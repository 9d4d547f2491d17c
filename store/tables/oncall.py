"""Who is on call, as stored: overrides of a schedule (the schedules themselves are configuration)."""

import sqlalchemy as sa

from store.tables.core import Id, Time, metadata

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
