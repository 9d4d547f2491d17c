"""The page outbox from the deciding side: a step's new pages, and what an acknowledgement or a
resolve does to the pages already there (cancel the unsent, follow up the sent). store.pages is the
delivering side."""

import functools
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from incidents import paging
from incidents.paging import PageState
from incidents.timeline import Entry
from store.tables import pages

# Page rows not already there (by their step); executed with many rows, which SQLAlchemy sends as one statement.
_INSERT_NEW_PAGES = {
    name: dialect.insert(pages).on_conflict_do_nothing().returning(pages.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def _insert_new(conn):
    return _INSERT_NEW_PAGES[conn.dialect.name]


def insert(conn, row, pages_to_send, catalog, now: datetime, due_at: datetime) -> list[int]:
    """A step's pages, as pending triggers of the incident `row`; the ids of those not there already."""
    if not pages_to_send:
        return []
    service = catalog.service(row.service) if row.service in {s.name for s in catalog.services} else None
    values = [
        {
            "incident_id": row.id,
            "action": "trigger",
            "step": page.step.key,
            "step_kind": page.step.kind,
            "target_kind": page.target.kind,
            "target_name": page.target.name,
            "reason": page.reason[:1000],
            "headline": page.headline[:1000],
            "status": PageState.PENDING,
            "attempts": 0,
            "routing_key": catalog.routing_key(page.target, service) if service else "",
            "dedup_key": paging.dedup_key(row.id, page.target.kind, page.target.name, page.step),
            "created_at": now,
            "due_at": due_at,
            "next_attempt_at": now,
        }
        for page in pages_to_send
    ]
    # A step already paged (SEV1's manager, a retried decision) is not paged again.
    return list(conn.execute(_insert_new(conn), values).scalars())


def resolve_steps(conn, incident_id: int, prefix: str, why: str, now: datetime) -> tuple[tuple[Entry, ...], list[int]]:
    """Cancel the unsent triggers whose step starts with `prefix` and queue a resolve for those sent (a
    follow-up's reminders when it closes): the cancellations' timeline entries and the resolve pages' ids."""
    only = pages.c.step.startswith(prefix, autoescape=True)
    return cancel_unsent(conn, incident_id, "resolve", why, only), follow_up(conn, incident_id, "resolve", 0, now, only)


def cancel_unsent(conn, incident_id: int, action: str, why: str, only=None) -> tuple[Entry, ...]:
    """Cancel triggers not yet sent, saying why on each and on the timeline (one statement).

    Which are cancelled is decided by incidents.paging.spared_by.
    """
    stmt = _cancel_unsent(action) if only is None else _cancel_unsent(action).where(only)
    params = {"of_incident": incident_id, "why_cancelled": f"{why} before it was sent"[:1000]}
    return tuple(paging.cancelled(page, why) for page in sorted(conn.execute(stmt, params).all()))


# The statements below are built once per action: every acknowledgement and resolution runs them.
@functools.cache
def _cancel_unsent(action: str) -> sa.Update:
    unsent = [
        pages.c.incident_id == sa.bindparam("of_incident"),  # not "incident_id": in an UPDATE, column names are taken
        pages.c.action == "trigger",
        pages.c.status == PageState.PENDING,
    ]
    return (
        pages.update()
        .where(*unsent, *_not_spared(paging.spared_by(action)))
        .values(status=PageState.CANCELLED, cancel_reason=sa.bindparam("why_cancelled"))
        .returning(pages.c.id, pages.c.target_kind, pages.c.target_name)
    )


def _not_spared(spared: frozenset) -> list:
    """SQL conditions for pages whose step kind is not among the `spared` (incidents.paging.spared_by)."""
    return [pages.c.step_kind.not_in(sorted(spared))]


_KEYS = (pages.c.target_kind, pages.c.target_name, pages.c.routing_key, pages.c.dedup_key)
# The sent triggers of an incident, once per (routing key, dedup key), with the first step that paged it
# (a dedup key is one alert at PagerDuty: its steps are of one kind but for a level's rounds).
_SENT = (
    sa.select(*_KEYS, sa.func.min(pages.c.step).label("step"), sa.func.min(pages.c.step_kind).label("step_kind"))
    .where(pages.c.incident_id == sa.bindparam("incident_id"), pages.c.action == "trigger")
    .where(pages.c.status == PageState.SENT, *_not_spared(paging.NOT_FOLLOWED_UP))
    .group_by(*_KEYS)
)


def follow_up(conn, incident_id: int, action: str, round_: int, now: datetime, only=None) -> list[int]:
    """Queue `action` (acknowledge or resolve) once for every (routing key, dedup key) paged."""
    sent = conn.execute(_SENT if only is None else _SENT.where(only), {"incident_id": incident_id}).all()
    if not sent:
        return []
    prefix = "resolve" if action == "resolve" else f"ack{round_}"
    values = [
        {
            "incident_id": incident_id,
            "action": action,
            "step": f"{prefix}:{s.step}",
            "step_kind": s.step_kind,
            "target_kind": s.target_kind,
            "target_name": s.target_name,
            "routing_key": s.routing_key,
            "dedup_key": s.dedup_key,
            "reason": action,
            "status": PageState.PENDING,
            "attempts": 0,
            "created_at": now,
            "due_at": now,
            "next_attempt_at": now,
        }
        for s in sent
    ]
    return list(conn.execute(_insert_new(conn), values).scalars())
