"""After the incident: the status page's overrides and maintenances, post-mortems and follow-ups."""

import sqlalchemy as sa

from store.tables.core import Id, Json, Time, metadata

# A status page component's state set by hand (incidents.status_page.Override): wins until cleared.
status_overrides = sa.Table(
    "status_overrides",
    metadata,
    sa.Column("service", sa.String(128), primary_key=True),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("set_by", sa.String(160), nullable=False),
    sa.Column("set_at", Time, nullable=False),
)

# Maintenance announced on the status page (incidents.status_page.Maintenance).
maintenances = sa.Table(
    "maintenances",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("services", Json, nullable=False),
    sa.Column("starts_at", Time, nullable=False),
    sa.Column("ends_at", Time, nullable=False, index=True),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("created_by", sa.String(160), nullable=False),
    sa.Column("created_at", Time, nullable=False),
)

# One post-mortem per resolved incident (incidents.postmortem): draft, published or skipped. `remind_at`
# is the next reminder's time, claimed by beat's sweep (store.postmortems.sweep_reminders).
DRAFT_REMINDER = sa.text("state = 'draft' AND remind_at IS NOT NULL")
postmortems = sa.Table(
    "postmortems",
    metadata,
    sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("due_at", Time),
    sa.Column("remind_at", Time),
    sa.Column("reminders_sent", sa.Integer, nullable=False, server_default="0"),
    sa.Column("skip_reason", sa.Text),
    sa.Column("created_at", Time, nullable=False),
    sa.Column("published_at", Time),
    sa.Column("published_by", sa.String(160)),
    sa.Index("ix_postmortems_remind_at", "remind_at", postgresql_where=DRAFT_REMINDER, sqlite_where=DRAFT_REMINDER),
    sa.Index("ix_postmortems_state_due", "state", "due_at"),
)

# Every save of a post-mortem's text: who, when.
postmortem_versions = sa.Table(
    "postmortem_versions",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("author", sa.String(160), nullable=False),
    sa.Column("at", Time, nullable=False),
)

OPEN_REMINDER = sa.text("state = 'open' AND remind_at IS NOT NULL")
OPEN_FOLLOW_UP = sa.text("state = 'open'")

# Action items: owner (a person or a team), due date, open or done; one per text per incident.
follow_ups = sa.Table(
    "follow_ups",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("owner_kind", sa.String(8)),  # user or team
    sa.Column("owner_name", sa.String(128)),
    sa.Column("due_on", sa.Date),
    sa.Column("state", sa.String(8), nullable=False),  # open or done
    sa.Column("source", sa.String(16), nullable=False),  # postmortem or incident
    sa.Column("created_by", sa.String(160), nullable=False),
    sa.Column("created_at", Time, nullable=False),
    sa.Column("closed_at", Time),
    # The owner's reminders (incidents.follow_ups): when the sweep looks next, the round (a new owner, due date
    # or reopening starts one) and the last reminder of the round ("", due, overdue).
    sa.Column("remind_at", Time),
    sa.Column("remind_round", sa.Integer, nullable=False, server_default="0"),
    sa.Column("reminded", sa.String(8), nullable=False, server_default=""),
    sa.UniqueConstraint("incident_id", "text", name="uq_follow_ups_text"),
    sa.Index("ix_follow_ups_state_due", "state", "due_on"),
    sa.Index("ix_follow_ups_remind_at", "remind_at", postgresql_where=OPEN_REMINDER, sqlite_where=OPEN_REMINDER),
    # The open follow-ups of earlier incidents, looked up for every incident page (store.follow_ups.earlier).
    sa.Index("ix_follow_ups_open", "incident_id", postgresql_where=OPEN_FOLLOW_UP, sqlite_where=OPEN_FOLLOW_UP),
)
