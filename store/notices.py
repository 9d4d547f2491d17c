"""On-call notices as stored: the outbox (`notices`), the last look at each schedule (`schedule_looks`) and
the recorded past (`oncall_periods`). No decisions: incidents/notices.py makes them."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from incidents.notices import Notice
from incidents.schedules import Shift
from incidents.utc import iso, utc
from store.tables import notices, oncall_periods, schedule_looks

_DIALECTS = {"postgresql": postgresql, "sqlite": sqlite}


def add(conn, found: list[Notice], *, now: datetime) -> int:
    """Store each notice once (a key stored already is left as it is); how many were new."""
    added = 0
    for notice in found:
        values = {
            "key": notice.key,
            "schedule": notice.schedule,
            "channel": notice.channel,
            "recipients": list(notice.to),
            "subject": notice.subject[:300],
            "body": notice.body,
            "created_at": now,
            "next_attempt_at": now,
        }
        insert = _DIALECTS[conn.dialect.name].insert(notices).values(values).on_conflict_do_nothing()
        added += conn.execute(insert.execution_options(preserve_rowcount=True)).rowcount
    return added


def claim(conn, *, now: datetime, limit: int = 20) -> list:
    """Notices due by `now`, oldest first, locked; rows another beat or worker holds are skipped."""
    query = (
        sa.select(notices)
        .where(notices.c.sent_at.is_(None), notices.c.next_attempt_at <= now)
        .order_by(notices.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return conn.execute(query).all()


def mark_sent(conn, notice_id: int, *, how: str, at: datetime) -> None:
    conn.execute(sa.update(notices).where(notices.c.id == notice_id).values(sent_at=at, delivered=how))


def mark_retrying(conn, notice_id: int, error: str, *, attempts: int, retry_at: datetime) -> None:
    values = {"attempts": attempts, "last_error": error[:2000], "next_attempt_at": retry_at}
    conn.execute(sa.update(notices).where(notices.c.id == notice_id).values(values))


def mark_failed(conn, notice_id: int, error: str, *, attempts: int, at: datetime) -> None:
    values = {"attempts": attempts, "last_error": error[:2000], "sent_at": at, "delivered": "failed"}
    conn.execute(sa.update(notices).where(notices.c.id == notice_id).values(values))


def mailbox(conn, *, limit: int = 100) -> list:
    """Email notices, newest first: what the built-in mailbox (/mail) shows."""
    query = sa.select(notices).where(notices.c.channel == "email").order_by(notices.c.id.desc()).limit(limit)
    return conn.execute(query).all()


@dataclass(frozen=True)
class Look:
    """The last look at a schedule: when, its final timeline of the 14 days after, how far its past is recorded."""

    seen_at: datetime
    shifts: list[Shift]
    recorded_until: datetime

    @property
    def key(self) -> str:
        return iso(self.seen_at)


def look(conn, schedule: str, *, now: datetime) -> Look | None:
    """The last look at `schedule`, its row locked until commit; None at the first look (its row is made)."""
    first = {"schedule": schedule, "seen_at": now, "shifts": [], "recorded_until": now}
    insert = _DIALECTS[conn.dialect.name].insert(schedule_looks).values(first).on_conflict_do_nothing()
    # SQLAlchemy counts an INSERT's rows on PostgreSQL only when asked (else -1: "made", every time).
    made = conn.execute(insert.execution_options(preserve_rowcount=True))
    row = conn.execute(sa.select(schedule_looks).where(schedule_looks.c.schedule == schedule).with_for_update()).one()
    if made.rowcount:
        return None
    shifts = [Shift(person, _time(a), _time(b)) for person, a, b in row.shifts]
    return Look(utc(row.seen_at), shifts, utc(row.recorded_until))


def save_look(conn, schedule: str, shifts: list[Shift], *, seen_at: datetime, recorded_until: datetime) -> None:
    values = {
        "seen_at": seen_at,
        "shifts": [[s.person, iso(s.start), iso(s.end)] for s in shifts],
        "recorded_until": recorded_until,
    }
    conn.execute(sa.update(schedule_looks).where(schedule_looks.c.schedule == schedule).values(values))


def record(conn, schedule: str, shifts: list[Shift]) -> None:
    """Append who was on call (gaps are not stored); a shift that carries on the last one of its person
    lengthens that row."""
    columns = (oncall_periods.c.id, oncall_periods.c.person, oncall_periods.c.end_at)
    last = conn.execute(
        sa.select(*columns)
        .where(oncall_periods.c.schedule == schedule)
        .order_by(oncall_periods.c.end_at.desc())
        .limit(1)
    ).first()
    for shift in shifts:
        if shift.person is None or shift.end <= shift.start:
            continue
        if last is not None and last.person == shift.person and utc(last.end_at) == shift.start:
            conn.execute(sa.update(oncall_periods).where(oncall_periods.c.id == last.id).values(end_at=shift.end))
        else:
            values = {"schedule": schedule, "person": shift.person, "start_at": shift.start, "end_at": shift.end}
            conn.execute(sa.insert(oncall_periods).values(values))
        last = conn.execute(
            sa.select(*columns)
            .where(oncall_periods.c.schedule == schedule)
            .order_by(oncall_periods.c.id.desc())
            .limit(1)
        ).first()


def recorded(conn, *, since: datetime, until: datetime, schedule: str | None = None) -> list:
    """Recorded periods that meet [since, until), by start."""
    query = sa.select(oncall_periods).where(oncall_periods.c.end_at > since, oncall_periods.c.start_at < until)
    if schedule is not None:
        query = query.where(oncall_periods.c.schedule == schedule)
    return conn.execute(query.order_by(oncall_periods.c.start_at, oncall_periods.c.id)).all()


def _time(text: str) -> datetime:
    return utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
