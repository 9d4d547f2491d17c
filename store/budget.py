"""The per-target page budget, applied where pages are claimed for delivery.

The page outbox is the truth. When a batch is claimed, in its transaction and under an advisory
lock per target (PostgreSQL; SQLite has one writer anyway), the triggers sent to each target in its
budget's period are counted: a page past the budget is marked `suppressed` instead of sent, says so
on its incident's timeline, and is covered by one summary page per target and period, sent
`Timings.budget_summary_after` later with the count of what it covers. Two deliveries of pages to
one target take turns, so the count is right with any number of workers.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa

from incidents import noise, paging
from incidents.page_steps import PageStep, StepKind
from incidents.paging import PageState
from incidents.services import Catalog
from store.tables import incidents, pages

IS_SUMMARY = pages.c.step_kind == StepKind.SUMMARY


def ration(conn, claimed: list, *, catalog: Catalog | None, now: datetime, summary_after: timedelta):
    """(pages to send, timeline entries of those suppressed); the suppressed are marked here."""
    budgets = {page.id: _budget(page, catalog) for page in claimed}
    if not any(budgets.values()):
        return list(claimed), []
    _lock_targets(conn, {(page.target_kind, page.target_name) for page in claimed if budgets[page.id]})
    send, entries, sent = [], [], {}
    for page in claimed:
        budget = budgets[page.id]
        key = (page.target_kind, page.target_name, budget.per if budget else None)
        if budget is not None and key not in sent:
            sent[key] = _sent_since(conn, page, now - budget.per)
        if budget is None or noise.admitted(budget, sent[key]):
            sent[key] = sent.get(key, 0) + 1
            send.append(page)
        else:
            entries.append((page.incident_id, now, _suppress(conn, page, budget, now, summary_after)))
    return send, entries


def summary_texts(conn, claimed: list, *, catalog: Catalog | None) -> dict[int, str]:
    """What each summary page of a batch says ("12 more incidents on payment-service"), also kept as its reason."""
    texts = {}
    for page in claimed:
        if page.step_kind == StepKind.SUMMARY:
            budget = catalog.budget_of(page.service) if catalog else None
            texts[page.id] = noise.summary_text(page.target_name, _covered(conn, page.id), budget)
            conn.execute(pages.update().where(pages.c.id == page.id).values(reason=texts[page.id]))
    return texts


def _budget(page, catalog: Catalog | None):
    """The budget a page counts against: a first try of an incident's trigger, on a service with one."""
    counted = page.action == "trigger" and page.attempts == 0 and page.step_kind != StepKind.SUMMARY
    return catalog.budget_of(page.service) if counted and catalog is not None else None


def _lock_targets(conn, targets) -> None:
    """One target's deliveries take turns until commit; in one order, so that two never wait on each other."""
    if conn.dialect.name == "postgresql":
        for kind, name in sorted(targets):
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(f"page-budget:{kind}:{name}"))))


def _of_target(page):
    return sa.and_(pages.c.target_kind == page.target_kind, pages.c.target_name == page.target_name)


def _sent_since(conn, page, since: datetime) -> int:
    query = sa.select(sa.func.count()).where(
        _of_target(page),
        pages.c.action == "trigger",
        pages.c.status == PageState.SENT,
        pages.c.sent_at > since,
        ~IS_SUMMARY,
    )
    return conn.execute(query).scalar_one()


def _suppress(conn, page, budget: noise.PageBudget, now: datetime, summary_after: timedelta):
    """Mark a page suppressed under the summary of its target's period (a new one if there is none)."""
    summary = conn.execute(
        sa.select(pages.c.id, pages.c.status, pages.c.sent_at)
        .where(_of_target(page), IS_SUMMARY, pages.c.created_at > now - budget.per)
        .order_by(pages.c.id.desc())
        .limit(1)
    ).first()
    summary_id = summary.id if summary else _new_summary(conn, page, now, now + summary_after)
    sent_at = summary.sent_at if summary and summary.status == PageState.SENT else None
    entry = noise.suppressed(page.target_name, budget, sent_at, now)
    conn.execute(
        pages.update()
        .where(pages.c.id == page.id)
        .values(
            status=PageState.SUPPRESSED, summary_id=summary_id, cancel_reason=entry.message.removeprefix("not paged: ")
        )
    )
    return entry


def _new_summary(conn, page, now: datetime, due: datetime) -> int:
    """A summary page to the target, on the first suppressed page's incident, due `due`."""
    epoch = int(now.timestamp())
    step = PageStep(StepKind.SUMMARY, name=str(epoch))
    values = {
        "incident_id": page.incident_id,
        "action": "trigger",
        "step": step.key,
        "step_kind": step.kind,
        "target_kind": page.target_kind,
        "target_name": page.target_name,
        "routing_key": page.routing_key,
        "dedup_key": paging.summary_dedup_key(page.target_kind, page.target_name, epoch),
        "reason": "page budget summary",
        "status": PageState.PENDING,
        "attempts": 0,
        "created_at": now,
        "due_at": due,
        "next_attempt_at": due,
    }
    return conn.execute(pages.insert().values(**values).returning(pages.c.id)).scalar_one()


def _covered(conn, summary_id: int) -> dict[str, int]:
    """Pages a summary covers, by their incident's service."""
    query = (
        sa.select(incidents.c.service, sa.func.count())
        .select_from(pages.join(incidents, incidents.c.id == pages.c.incident_id))
        .where(pages.c.summary_id == summary_id)
        .group_by(incidents.c.service)
    )
    return dict(conn.execute(query).all())
