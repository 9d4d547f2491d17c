"""The chat outbox: messages written with the decision that called for them, delivered in order.

`queue` is called by store.writer.write, the one writer of every command's outcome, so every
command (intake, a person's action, a breach, a wake-up) tells chat the same way. The rest is the
delivering side: claim the next message of each incident and target, record what chat answered.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa

from incidents import channel, chat
from incidents.services import Catalog
from incidents.severity import Severity
from incidents.timeline import Entry
from store.channel import channel_of
from store.tables import chat_messages, incidents
from store.timeline import append_timeline

_INCIDENT = sa.select(incidents.c.number, incidents.c.title).where(incidents.c.id == sa.bindparam("incident_id"))
_INSERT = chat_messages.insert().returning(chat_messages.c.id)


def queue(conn, row, entries, *, severity: Severity, catalog: Catalog, now: datetime) -> tuple[int, ...]:
    """Outbox rows for what `entries` tell, if the incident's service has a chat; their ids."""
    config = catalog.chat_of(row.service)
    if config is None or not any(e.kind == "opened" or e.kind in chat.TOLD for e in entries):
        return ()
    incident = conn.execute(_INCIDENT, {"incident_id": row.id}).one()
    opened = any(e.kind == "opened" for e in entries)
    template = _template(conn, incident.number, catalog) if opened else ""
    messages = chat.messages(
        entries,
        number=incident.number,
        title=incident.title,
        severity=severity,
        template=template,
        target=config.target,
    )
    values = [_values(row.id, message, config.target, now) for message in messages]
    return tuple(conn.execute(_INSERT, values).scalars()) if values else ()


def _template(conn, number: int, catalog: Catalog) -> str:
    return channel.render(channel_of(conn, number, catalog))


def _values(incident_id: int, message: chat.Message, target: str, now: datetime) -> dict:
    payload = {"name": message.name} if message.kind == "channel" else {"pin": message.pin}
    return {
        "incident_id": incident_id,
        "kind": message.kind,
        "target": target,
        "text": message.text,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
    }


_earlier = chat_messages.alias("earlier")
_channel = chat_messages.alias("channel")
# A message waits for every earlier one of its incident and target: the template after the channel,
# updates in the order they were decided, however retries fall.
_BLOCKED = sa.exists().where(
    _earlier.c.incident_id == chat_messages.c.incident_id,
    _earlier.c.target == chat_messages.c.target,
    _earlier.c.status == "pending",
    _earlier.c.id < chat_messages.c.id,
)


def _of_channel(column):
    """A column of the incident's channel row (the latest), for each message claimed."""
    mine = sa.and_(_channel.c.incident_id == chat_messages.c.incident_id, _channel.c.kind == "channel")
    return sa.select(column).where(mine).order_by(_channel.c.id.desc()).limit(1).scalar_subquery()


def claim(conn, *, now: datetime, limit: int = 20) -> list:
    """Messages due by `now` that are first in line for their incident and target, with the incident's
    number, service and channel (status, Slack id), locked; rows another worker holds are skipped."""
    query = (
        sa.select(
            chat_messages,
            incidents.c.number,
            incidents.c.service,
            _of_channel(_channel.c.status).label("channel_status"),
            _of_channel(_channel.c.remote).label("channel_id"),
        )
        .join(incidents, incidents.c.id == chat_messages.c.incident_id)
        .where(chat_messages.c.status == "pending", chat_messages.c.next_attempt_at <= now, ~_BLOCKED)
        .order_by(chat_messages.c.id)
        .limit(limit)
        .with_for_update(of=chat_messages, skip_locked=True)
    )
    return conn.execute(query).all()


def mark_sent(conn, message, at: datetime, *, remote: str | None = None) -> None:
    """Chat took the message (`remote`: Slack's channel id or message ts)."""
    _update(conn, message, status="sent", sent_at=at, last_error=None, remote=remote or message.remote)


def channel_created(conn, message, name: str, channel_id: str, at: datetime) -> None:
    """The incident's Slack channel exists: kept on its row, and on the timeline as a key event."""
    _update(conn, message, status="sent", sent_at=at, last_error=None, remote=channel_id, payload={"name": name})
    entry = Entry("channel_created", f"Incident channel created: #{name}", {"channel": name, "channel_id": channel_id})
    append_timeline(conn, message.incident_id, [entry], at)


def mark_retrying(conn, message, error: str, retry_at: datetime, *, remote: str | None = None) -> None:
    """A transient failure: tried again at `retry_at`; what was done already (`remote`) is kept."""
    _update(conn, message, last_error=error[:1000], next_attempt_at=retry_at, remote=remote or message.remote)


def mark_failed(conn, message, error: str, at: datetime) -> None:
    """A permanent failure: recorded on the row and on the incident's timeline, where people look."""
    _update(conn, message, status="failed", last_error=error[:1000])
    where = "creating the incident's Slack channel" if message.kind == "channel" else f"chat message ({message.kind})"
    entry = Entry("chat_failed", f"Chat failed, {where}: {error}"[:2000], {"message_id": message.id})
    append_timeline(conn, message.incident_id, [entry], at)


def mark_skipped(conn, message, reason: str) -> None:
    """Nowhere to post it (the incident's channel could not be created, which the timeline says)."""
    _update(conn, message, status="skipped", last_error=reason)


def _update(conn, message, **values) -> None:
    query = chat_messages.update().where(chat_messages.c.id == message.id)
    conn.execute(query.values(attempts=chat_messages.c.attempts + 1, **values))


def requeue_stale(conn, now: datetime, *, grace: timedelta = timedelta(seconds=10), limit: int = 500) -> list[int]:
    """Pending messages whose delivery should have happened `grace` ago (a lost task, a flushed broker),
    stamped as re-queued now so that a backlog is re-sent once per grace period."""
    stale = (
        sa.select(chat_messages.c.id)
        .where(chat_messages.c.status == "pending", chat_messages.c.next_attempt_at <= now - grace)
        .order_by(chat_messages.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    stmt = (
        chat_messages.update()
        .where(chat_messages.c.id.in_(stale))
        .values(next_attempt_at=now)
        .returning(chat_messages.c.id)
    )
    return list(conn.execute(stmt).scalars())
