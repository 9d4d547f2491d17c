"""The tables, as SQLAlchemy Core: the hot path is set-based SQL, not an ORM object per alert."""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata = sa.MetaData()
# Open incidents. A literal, so that PostgreSQL infers the partial unique index below from it.
OPEN = sa.text("status <> 'resolved'")

# BIGINT on PostgreSQL; INTEGER on SQLite so that it is the rowid and autoincrements.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)

raw_requests = sa.Table(
    "raw_requests",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("received_at", Time, nullable=False),
    sa.Column("remote_addr", sa.String(64), nullable=False, server_default=""),
    sa.Column("user_agent", sa.String(256), nullable=False, server_default=""),
    sa.Column("body", sa.LargeBinary, nullable=False),
)

incident_numbers = sa.Sequence("incident_numbers", metadata=metadata)

incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("number", sa.Integer, unique=True),
    sa.Column("service", sa.String(128), nullable=False),
    sa.Column("group_key", sa.Text, nullable=False),
    # sha256 of group_key: a group key can outgrow a btree index entry.
    sa.Column("group_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("severity", sa.SmallInteger, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("opened_at", Time, nullable=False),
    sa.Column("acknowledged_at", Time),
    sa.Column("resolved_at", Time),
    sa.Column("last_alert_at", Time, nullable=False),
    sa.Column("alert_events", sa.Integer, nullable=False),
    sa.Column("open_token", sa.BigInteger, nullable=False),
    sa.Column("policy", Json, nullable=False),
    # Escalation state (incidents.escalation.State); esc_token changes with every decision.
    sa.Column("esc_level", sa.Integer, nullable=False, server_default="-1"),
    sa.Column("esc_loop", sa.Integer, nullable=False, server_default="0"),
    sa.Column("esc_round", sa.Integer, nullable=False, server_default="0"),
    sa.Column("esc_due_at", Time),
    sa.Column("esc_unresolved_due_at", Time),
    sa.Column("esc_exhausted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("esc_last_level_loop", sa.Integer, nullable=False, server_default="-1"),
    sa.Column("esc_token", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("next_wake_at", Time),
    # "maintenance" or "flap" while the first page waits for a hold to end (incidents.noise).
    sa.Column("esc_held", sa.String(16), nullable=False, server_default=""),
    sa.Index(
        "ix_incidents_next_wake_at",
        "next_wake_at",
        postgresql_where=sa.text("next_wake_at IS NOT NULL"),
        sqlite_where=sa.text("next_wake_at IS NOT NULL"),
    ),
    # One open incident per (service, group): the upsert's conflict target.
    sa.Index("uq_incidents_open_group", "service", "group_hash", unique=True, postgresql_where=OPEN, sqlite_where=OPEN),
    sa.Index("ix_incidents_status_opened", "status", "opened_at"),
    sa.Index("ix_incidents_opened_at", "opened_at"),  # reports: incidents opened in a range
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("fingerprint", sa.String(255), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("severity", sa.SmallInteger, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("labels", Json, nullable=False),
    sa.Column("annotations", Json, nullable=False),
    sa.Column("generator_url", sa.Text, nullable=False),
    sa.Column("starts_at", Time),
    sa.Column("ends_at", Time),
    sa.Column("first_seen", Time, nullable=False),
    sa.Column("last_seen", Time, nullable=False),
    sa.Column("received_count", sa.Integer, nullable=False),
    # Random per request: the RETURNING row tells whether this request inserted or changed the alert.
    sa.Column("insert_token", sa.BigInteger, nullable=False),
    sa.Column("change_token", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("incident_id", "fingerprint", name="uq_alerts_incident_fingerprint"),
)

timeline = sa.Table(
    "timeline",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False, index=True),
    sa.Column("at", Time, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("data", Json, nullable=False),
    # Who did it: a person's name, `api:<token name>`, `pagerduty`, `alertmanager`, `grafana`, `system`.
    sa.Column("actor", sa.String(160), nullable=False, server_default="system"),
    # /metrics counts breaches at every scrape (store.targets.breach_counts).
    sa.Index(
        "ix_timeline_breaches",
        "kind",
        postgresql_where=sa.text("kind = 'breach'"),
        sqlite_where=sa.text("kind = 'breach'"),
    ),
    # ... and flaps (store.noise.flap_counts).
    sa.Index(
        "ix_timeline_flaps",
        "kind",
        postgresql_where=sa.text("kind = 'flapped'"),
        sqlite_where=sa.text("kind = 'flapped'"),
    ),
)

# The outbox: one row per page (and per acknowledge/resolve sent for it), written in the
# transaction that decided it, delivered after commit. The unique step makes a page happen once.
pages = sa.Table(
    "pages",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False, index=True),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("step", sa.String(32), nullable=False),
    sa.Column("target_kind", sa.String(8), nullable=False),
    sa.Column("target_name", sa.String(128), nullable=False),
    sa.Column("routing_key", sa.String(255), nullable=False),
    sa.Column("dedup_key", sa.String(255), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", Time, nullable=False),
    sa.Column("due_at", Time, nullable=False),  # when the step was due: lateness = sent_at - due_at
    sa.Column("next_attempt_at", Time, nullable=False),
    sa.Column("sent_at", Time),
    sa.Column("last_error", sa.Text),
    sa.Column("cancel_reason", sa.Text),  # "acknowledged by alice before it was sent"
    # A page the target's budget held back (status "suppressed"): the summary page that covers it.
    sa.Column("summary_id", Id),
    sa.UniqueConstraint("incident_id", "action", "step", "target_kind", "target_name", name="uq_pages_step"),
    sa.Index("ix_pages_dedup_key", "dedup_key"),
    sa.Index(
        "ix_pages_pending",
        "next_attempt_at",
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    ),
    # The page budget counts a target's triggers sent recently (store.budget).
    sa.Index(
        "ix_pages_target_sent",
        "target_name",
        "target_kind",
        "sent_at",
        postgresql_where=sa.text("status = 'sent' AND action = 'trigger'"),
        sqlite_where=sa.text("status = 'sent' AND action = 'trigger'"),
    ),
    sa.Index("ix_pages_summary_id", "summary_id", postgresql_where=sa.text("summary_id IS NOT NULL")),
)

# Maintenance windows (incidents.noise.Window): incidents of `services` opened within one page nobody
# until it ends. Ending one early sets `end_at` to then and `ended_by`.
maintenance_windows = sa.Table(
    "maintenance_windows",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("services", Json, nullable=False),
    sa.Column("start_at", Time, nullable=False),
    sa.Column("end_at", Time, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(160), nullable=False),
    sa.Column("created_at", Time, nullable=False),
    sa.Column("ended_by", sa.String(160)),
    sa.Index("ix_maintenance_windows_end_at", "end_at"),
)

used_links = sa.Table(
    "used_links",
    metadata,
    sa.Column("link_id", sa.String(64), primary_key=True),
    sa.Column("used_at", Time, nullable=False),
)

# Deploys and configuration changes (incidents.changes.Change): the first suspects of an incident.
changes = sa.Table(
    "changes",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("service", sa.String(128), nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("origin", sa.Text),
    sa.Column("version", sa.Text),
    sa.Column("commit", sa.Text),
    sa.Column("author", sa.Text),
    sa.Column("links", Json, nullable=False),
    sa.Column("custom_details", Json),
    sa.Column("changed_at", Time, nullable=False),
    sa.Column("received_at", Time, nullable=False),
    sa.Column("raw_request_id", Id, sa.ForeignKey("raw_requests.id"), nullable=False),
    sa.Index("ix_changes_service_changed_at", "service", "changed_at"),
)

# The lifecycle of an incident (incidents.lifecycle.Lifecycle), one row per incident beside it: the
# intake's one-statement upsert of `incidents` stays as it is. `due_at` is the next target or status
# update the breach sweep looks at, claimed like escalations.
incident_lifecycle = sa.Table(
    "incident_lifecycle",
    metadata,
    sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), primary_key=True),
    sa.Column("phase", sa.String(16), nullable=False),
    sa.Column("phase_times", Json, nullable=False),
    sa.Column("problem_started_at", Time, nullable=False),
    sa.Column("detected_at", Time, nullable=False),
    sa.Column("status_word", sa.String(16), nullable=False),
    sa.Column("impact", sa.Text, nullable=False, server_default=""),
    sa.Column("affected", Json, nullable=False),
    sa.Column("commander", sa.String(128)),
    sa.Column("roles", Json, nullable=False),
    sa.Column("pinned", Json, nullable=False),
    sa.Column("next_update_due_at", Time),
    sa.Column("update_misses", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updates_posted", sa.Integer, nullable=False, server_default="0"),
    sa.Column("severity_set_by", sa.String(160)),
    sa.Column("severity_set_at", Time),
    sa.Column("breaches", Json, nullable=False),
    sa.Column("found_by", sa.Text, nullable=False, server_default=""),
    sa.Column("due_at", Time),
    # Each phase's first entry (phase_times again, as columns): reports aggregate them in SQL.
    *(
        sa.Column(f"entered_{phase}", Time)
        for phase in ("detection", "response", "mitigation", "recovery", "postmortem", "done")
    ),
    sa.Index(
        "ix_incident_lifecycle_due_at",
        "due_at",
        postgresql_where=sa.text("due_at IS NOT NULL"),
        sqlite_where=sa.text("due_at IS NOT NULL"),
    ),
)

# The checklist (incidents.checklist.Action), in the order added.
incident_actions = sa.Table(
    "incident_actions",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("done_by", sa.String(160)),
    sa.Column("done_at", Time),
    sa.Column("assignee", sa.String(128)),
    sa.Column("created_by", sa.String(160), nullable=False),
    sa.Column("created_at", Time, nullable=False),
)

# Status updates (incidents.updates.Update); `public` marks those for a status page (later).
status_updates = sa.Table(
    "status_updates",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False, index=True),
    sa.Column("status_word", sa.String(16), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("eta", sa.String(64), nullable=False, server_default=""),
    sa.Column("eta_at", Time),
    sa.Column("author", sa.String(160), nullable=False),
    sa.Column("at", Time, nullable=False),
    sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()),
)

# Passwords of the people in people.yaml who sign in to the web UI (a hash, never the password).
credentials = sa.Table(
    "credentials",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("updated_at", Time, nullable=False),
)

# Failed sign-ins by the name typed (known or not): a name is throttled after too many.
sign_in_failures = sa.Table(
    "sign_in_failures",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("at", Time, nullable=False),
    sa.Index("ix_sign_in_failures_name_at", "name", "at"),
)

# The chat outbox (incidents.chat.Message): written in the transaction that decided it, delivered
# after commit, in order per incident and target. `remote` is what Slack gave back: the channel id
# of a created channel, the `ts` of a posted message (so a retry only pins it).
chat_messages = sa.Table(
    "chat_messages",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("target", sa.String(16), nullable=False),  # "webhook" or "slack" (the incident's channel)
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("payload", Json, nullable=False),  # {"name": channel name} or {"pin": true}
    sa.Column("status", sa.String(16), nullable=False),  # pending, sent, failed, skipped
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", Time, nullable=False),
    sa.Column("next_attempt_at", Time, nullable=False),
    sa.Column("sent_at", Time),
    sa.Column("last_error", sa.Text),
    sa.Column("remote", sa.String(64)),
    sa.Index("ix_chat_messages_incident", "incident_id", "target", "id"),
    sa.Index(
        "ix_chat_messages_pending",
        "next_attempt_at",
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    ),
)

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

# The shared back-off from PagerDuty (incidents.pagerduty_gate): one row, id 1, written when PagerDuty
# refuses a page and while the queue waiting behind it is sent; absent means open.
pagerduty_gate = sa.Table(
    "pagerduty_gate",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("closed_until", Time),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("catching_up", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("reason", sa.Text),
)
