"""The tables, as SQLAlchemy Core: the hot path is set-based SQL, not an ORM object per alert."""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata = sa.MetaData()

# BIGINT on PostgreSQL; INTEGER on SQLite so that it is the rowid and autoincrements.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)

raw_requests = sa.Table(
    "raw_requests", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("received_at", Time, nullable=False),
    sa.Column("remote_addr", sa.String(64), nullable=False, server_default=""),
    sa.Column("user_agent", sa.String(256), nullable=False, server_default=""),
    sa.Column("body", sa.LargeBinary, nullable=False),
)

incident_numbers = sa.Sequence("incident_numbers", metadata=metadata)

incidents = sa.Table(
    "incidents", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("number", sa.Integer, unique=True),
    sa.Column("service", sa.String(128), nullable=False),
    sa.Column("group_key", sa.Text, nullable=False),
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
    # One open incident per (service, group): the upsert's conflict target.
    sa.Index("uq_incidents_open_group", "service", "group_key", unique=True,
             postgresql_where=sa.text("status <> 'resolved'"), sqlite_where=sa.text("status <> 'resolved'")),
    sa.Index("ix_incidents_status_opened", "status", "opened_at"),
)

alerts = sa.Table(
    "alerts", metadata,
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
    "timeline", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("incident_id", Id, sa.ForeignKey("incidents.id"), nullable=False, index=True),
    sa.Column("at", Time, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("data", Json, nullable=False),
)
