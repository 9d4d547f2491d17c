"""Intake, incidents and paging: raw requests, incidents, alerts, the timeline, the page outbox,
used acknowledgement links and PagerDuty's shared back-off."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from incidents.utc import utc

metadata = sa.MetaData()
# Open incidents. A literal, so that PostgreSQL infers the partial unique index below from it.
OPEN = sa.text("status <> 'resolved'")

# BIGINT on PostgreSQL; INTEGER on SQLite so that it is the rowid and autoincrements.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


class Time(sa.TypeDecorator):
    """A moment, always read back aware in UTC: the one place that says SQLite's naive datetimes are UTC
    (PostgreSQL's timestamptz are normalised to UTC too). Written in UTC on both."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.astimezone(UTC) if isinstance(value, datetime) and value.tzinfo is not None else value

    def process_result_value(self, value, dialect):
        return utc(value) if isinstance(value, datetime) else value


raw_requests = sa.Table(
    "raw_requests",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("received_at", Time, nullable=False),
    sa.Column("remote_addr", sa.String(64), nullable=False, server_default=""),
    sa.Column("user_agent", sa.String(256), nullable=False, server_default=""),
    sa.Column("body", sa.LargeBinary, nullable=False),
    # The inbox (store/inbox.py): the id the sender was answered with, the lane of the request's group,
    # when the consumer applied it (NULL: pending) and the incidents it went to.
    sa.Column("request_id", sa.String(64), nullable=True),
    sa.Column("lane", sa.SmallInteger, nullable=False, server_default="0"),
    sa.Column("applied_at", Time, nullable=True),
    sa.Column("incidents", Json, nullable=True),
    sa.Index("ix_raw_requests_request_id", "request_id"),
    sa.Index(
        "ix_raw_requests_pending",
        "lane",
        "id",
        postgresql_where=sa.text("applied_at IS NULL"),
        sqlite_where=sa.text("applied_at IS NULL"),
    ),
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
    # An incident's first alert (a page's labels, store.pages.claim): without it, PostgreSQL walked the
    # primary key from the oldest alert of all, 12 ms per page at 14,000 alerts and growing with them.
    sa.Index("ix_alerts_incident_first", "incident_id", "id"),
)

timeline = sa.Table(
    "timeline",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("at", Time, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("data", Json, nullable=False),
    # Who did it: a person's name, `api:<token name>`, `pagerduty`, `alertmanager`, `grafana`, `system`.
    sa.Column("actor", sa.String(160), nullable=False, server_default="system"),
    # An incident's entries, newest first (the incident page, its live poll): migration 0026.
    sa.Index("ix_timeline_incident_id_id", "incident_id", "id"),
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
    sa.Column("step", sa.String(32), nullable=False),  # incidents.page_steps.PageStep.key
    sa.Column("step_kind", sa.String(16), nullable=False, server_default="level"),  # PageStep.kind
    sa.Column("target_kind", sa.String(8), nullable=False),
    sa.Column("target_name", sa.String(128), nullable=False),
    sa.Column("routing_key", sa.String(255), nullable=False),
    sa.Column("dedup_key", sa.String(255), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    # Why it comes, said first in its PagerDuty summary (incidents.escalation_state.Page.headline); "": none.
    sa.Column("headline", sa.Text, nullable=False, server_default=""),
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

used_links = sa.Table(
    "used_links",
    metadata,
    sa.Column("link_id", sa.String(64), primary_key=True),
    sa.Column("used_at", Time, nullable=False),
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
