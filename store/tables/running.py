"""Running the incident: maintenance windows, changes, the lifecycle, actions, status updates and chat."""

import sqlalchemy as sa

from store.tables.core import Id, Json, Time, metadata

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
    # A person's choice for the public status page: published, taken off; NULL: its auto_publish rule decides.
    sa.Column("published", sa.Boolean),
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
