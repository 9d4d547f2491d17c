"""The page outbox from the delivering side: claim a batch of pages, then record what PagerDuty said."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from incidents.page_steps import StepKind
from incidents.paging import PageState
from store.tables import alerts, incidents, pages

INCIDENT_FIELDS = (
    incidents.c.number,
    incidents.c.title,
    incidents.c.service,
    incidents.c.severity,
    incidents.c.status.label("incident_status"),
)


def claim(conn, page_ids: list[int], *, limit: int, ready_by: datetime | None = None) -> list:
    """Pending pages with their incident's fields, locked for this transaction, oldest due first (due
    time, then id); pages already sent, gone or being sent by another worker are left out. One query
    for the whole batch.

    With `ready_by` (a draining delivery), every pending page whose next attempt is due by then is
    wanted, not only `page_ids`: a delivery sends the oldest pages waiting, whichever task asked, so
    that none overtakes an older one (incidents.pagerduty_gate).
    """
    if not page_ids and ready_by is None:
        return []
    first_labels = (
        sa.select(alerts.c.labels)
        .where(alerts.c.incident_id == pages.c.incident_id)
        .order_by(alerts.c.id)
        .limit(1)
        .scalar_subquery()
    )
    wanted = [pages.c.id.in_(page_ids)] if page_ids else []
    if ready_by is not None:
        wanted.append(pages.c.next_attempt_at <= ready_by)
    query = (
        sa.select(pages, *INCIDENT_FIELDS, first_labels.label("labels"))
        .join(incidents, incidents.c.id == pages.c.incident_id)
        .where(pages.c.status == PageState.PENDING, sa.or_(*wanted))
        .order_by(pages.c.due_at, pages.c.id)
        .limit(limit)
        .with_for_update(of=pages, skip_locked=True)
    )
    return conn.execute(query).all()


def hold(conn, now: datetime, reason: str, *, limit: int) -> list:
    """Pending pages ready by `now` that PagerDuty's back-off holds and that do not say so yet: each
    gets `reason` as its last error (once), and is returned for its timeline entry."""
    waiting = (
        sa.select(pages.c.id)
        .where(pages.c.status == PageState.PENDING, pages.c.next_attempt_at <= now, pages.c.last_error.is_(None))
        .order_by(pages.c.due_at, pages.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    stmt = (
        pages.update()
        .where(pages.c.id.in_(waiting))
        .values(last_error=reason[:1000])
        .returning(pages.c.id, pages.c.incident_id, pages.c.action, pages.c.target_kind, pages.c.target_name)
    )
    return conn.execute(stmt).all()


def mark_sent(conn, sent_at: dict[int, datetime]) -> None:
    """Pages PagerDuty accepted, each with the time it answered."""
    if sent_at:
        stmt = (
            pages.update()
            .where(pages.c.id == sa.bindparam("page_id"))
            .values(status=PageState.SENT, sent_at=sa.bindparam("at"), attempts=pages.c.attempts + 1, last_error=None)
        )
        conn.execute(stmt, [{"page_id": page_id, "at": at} for page_id, at in sent_at.items()])


def mark_retrying(conn, errors: dict[int, tuple[str, datetime]]) -> None:
    """Transient failures, each with its time: the page waits with the others until PagerDuty's back-off
    ends. Its next attempt is stamped with that time, so that the sweep of lost pages does not take it
    for lost before the back-off is written (workers.paging writes it in a transaction of its own)."""
    if errors:
        stmt = (
            pages.update()
            .where(pages.c.id == sa.bindparam("page_id"))
            .values(attempts=pages.c.attempts + 1, last_error=sa.bindparam("error"), next_attempt_at=sa.bindparam("at"))
        )
        rows = [{"page_id": page_id, "error": error[:1000], "at": at} for page_id, (error, at) in errors.items()]
        conn.execute(stmt, rows)


def mark_failed(conn, errors: dict[int, str]) -> None:
    """Permanent failures (the caller writes them on the incidents' timelines, where people look)."""
    if errors:
        stmt = (
            pages.update()
            .where(pages.c.id == sa.bindparam("page_id"))
            .values(status=PageState.FAILED, attempts=pages.c.attempts + 1, last_error=sa.bindparam("error"))
        )
        conn.execute(stmt, [{"page_id": page_id, "error": error[:1000]} for page_id, error in errors.items()])


def overdue_count(conn, now: datetime) -> int:
    """Escalations due but not yet acted on, right now (for the metrics)."""
    query = sa.select(sa.func.count()).where(incidents.c.next_wake_at < now, incidents.c.status != "resolved")
    return conn.execute(query).scalar_one()


def delivery_counts(conn) -> dict[tuple[str, str], int]:
    """Pages by (action, outcome) since the start, from the outbox (so every worker's work, counted
    at scrape time): sent, failed, cancelled, pending; `retried` counts attempts that failed and
    were retried. One scan of the pages table, grouped."""
    query = sa.select(
        pages.c.action, pages.c.status, sa.func.count(), sa.func.coalesce(sa.func.sum(pages.c.attempts), 0)
    ).group_by(pages.c.action, pages.c.status)
    counts: dict[tuple[str, str], int] = {}
    for action, status, number, attempts in conn.execute(query):
        counts[action, status] = counts.get((action, status), 0) + number
        retried = attempts - (number if status in ("sent", "failed") else 0)  # the last attempt decided
        counts[action, "retried"] = counts.get((action, "retried"), 0) + retried
    return counts


def requeue_stale(conn, now: datetime, *, grace: timedelta, limit: int) -> list[int]:
    """Pending pages whose delivery should have happened `grace` ago (a lost task, a flushed broker).

    Each is stamped as re-queued now, so a backlog is re-sent once per grace period, not every tick.
    """
    stale = (
        sa.select(pages.c.id)
        .where(pages.c.status == PageState.PENDING, pages.c.next_attempt_at <= now - grace)
        .order_by(pages.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    stmt = pages.update().where(pages.c.id.in_(stale)).values(next_attempt_at=now).returning(pages.c.id)
    return list(conn.execute(stmt).scalars())


def incident_for_dedup_key(conn, dedup_key: str) -> int | None:
    """Our incident behind a PagerDuty `incident_key` (the dedup key of one of its pages)."""
    # A page budget's summary is no incident's: acting on it in PagerDuty changes nothing here.
    theirs = sa.and_(pages.c.dedup_key == dedup_key, pages.c.step_kind != StepKind.SUMMARY)
    query = sa.select(pages.c.incident_id).where(theirs).limit(1)
    return conn.execute(query).scalar()


PAGE_LIST_COLUMNS = (
    pages.c.id,
    pages.c.incident_id,
    pages.c.action,
    pages.c.step,
    pages.c.step_kind,
    pages.c.target_kind,
    pages.c.target_name,
    pages.c.reason,
    pages.c.status,
    pages.c.attempts,
    pages.c.created_at,
    pages.c.sent_at,
    pages.c.next_attempt_at,
    pages.c.last_error,
    pages.c.cancel_reason,
)


def pages_of(conn, incident_id: int) -> list:
    """An incident's pages (triggers, then the acknowledge/resolve sent for them), oldest first: what
    the API and the incident page list (incidents.paging.outcome words each; incidents.urls.page_ack_url
    builds a trigger's acknowledgement link from the row)."""
    query = sa.select(*PAGE_LIST_COLUMNS).where(pages.c.incident_id == incident_id).order_by(pages.c.id)
    return conn.execute(query).all()
