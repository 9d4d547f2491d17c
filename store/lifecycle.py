"""People's actions on an incident's lifecycle: lock the incident, decide in the core, write it all at once.

Each function takes the incident number, the request, `actor` (who: a person's name, `api:<token>`)
and `now`, and returns the committed escalation decision (for the workers) or None if there is no
such incident. The web UI and the API call the same functions.
"""

import random
from dataclasses import dataclass, replace
from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa

from incidents import checklist, escalation, lifecycle, noise, updates
from incidents.lifecycle import Change, Lifecycle, Phase, StatusWord
from incidents.services import Catalog
from incidents.severity import Severity
from incidents.timeline import Entry
from store import escalation as escalation_store
from store import lifecycle_rows
from store.catch_up import catch_up
from store.recording import group_hash
from store.tables import incident_actions, incidents, status_updates, timeline
from store.timeline import append_one, append_timeline


class NotFound(Exception):
    """No such incident, action or timeline entry (404)."""


@dataclass(frozen=True)
class Done:
    """What an action committed: the escalation decision to hand to the workers, and a new row's id."""

    decision: escalation_store.Applied
    number: int
    created_id: int | None = None


def run(engine, number: int, decide, *, catalog: Catalog, now: datetime, actor: str) -> Done:
    """Lock the incident; `decide(conn, row, lifecycle)` returns (Change, escalation Step or None, new id)."""
    with engine.begin() as conn:
        row = escalation_store.lock(conn, number=number)
        if row is None:
            raise NotFound(f"no incident INC-{number}")
        change, step, created = decide(conn, row, lifecycle_rows.load(conn, row))
        return Done(apply(conn, row, change, step, catalog=catalog, now=now, actor=actor), row.number, created)


def apply(conn, row, change: Change, step, *, catalog: Catalog, now: datetime, actor: str) -> escalation_store.Applied:
    """Write a lifecycle Change (and an escalation Step, or None) on the locked incident `row`: its
    entries, its notices as page outbox rows (unique by step), the lifecycle with its next due time."""
    step = step or escalation.Step(escalation_store.state_of(row))
    pages, held = escalation.notice_pages(escalation_store.plan_of(row), step.state, change.notices), ()
    if step.state.held:  # nobody is paged while the first page waits; the notices say so
        until = step.state.due_at or now
        reasons = dict.fromkeys(page.reason for page in pages)
        held = tuple(noise.notice_held(reason, step.state.held, until, now) for reason in reasons)
        pages = ()
    step = replace(step, pages=step.pages + pages, entries=change.entries + held + step.entries)
    applied = escalation_store.apply(conn, row, step, catalog=catalog, now=now, actor=actor)
    targets = catalog.targets_for(row.service)
    lifecycle_rows.save(conn, row.id, change.lifecycle, severity=step.state.severity, targets=targets)
    return applied


def take_command(engine, number, person: str, **kw) -> Done:
    """`person` takes command."""
    return _simple(engine, number, lambda lc, now, by: lifecycle.take_command(lc, person, now, by=by), **kw)


def hand_over(engine, number, to: str, **kw) -> Done:
    """Command goes to `to`."""
    return _simple(engine, number, lambda lc, now, by: lifecycle.hand_over(lc, to, now, by=by), **kw)


def set_role(engine, number, role: str, person: str | None, **kw) -> Done:
    """Give (or free) a role."""
    return _simple(engine, number, lambda lc, now, by: lifecycle.set_role(lc, role, person, now, by=by), **kw)


def set_status(engine, number, word: StatusWord, *, impact=None, phase: Phase | None = None, affected=None, **kw):
    """Status word (and so the phase), impact text, explicit phase, affected services."""

    def decide(lc, now, by):
        change = lifecycle.set_status(lc, word, now, by=by, impact=impact, phase=phase)
        if affected is None:
            return change
        more = lifecycle.set_affected(change.lifecycle, tuple(affected), now, by=by)
        return Change(more.lifecycle, change.entries + more.entries)

    return _simple(engine, number, decide, **kw)


def set_severity(engine, number, severity: Severity, reason: str, *, catalog, now, actor) -> Done:
    """A person sets the severity, up (its urgency applies) or down (kept against older alerts)."""

    def decide(conn, row, lc):
        plan, state = escalation_store.plan_of(row), escalation_store.state_of(row)
        change = lifecycle.severity_chosen(lc, state.severity, severity, reason, now, by=actor)
        return change, escalation.set_severity(plan, state, severity, now), None

    return run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def post_update(
    engine, number, word: StatusWord, text: str, eta: str = "", *, public: bool = False, catalog, now, actor
) -> Done:
    """Post a status update (`public`: published to the status page); the next is due by the severity's cadence.
    ValueError for a wrong ETA."""

    def decide(conn, row, lc):
        every = catalog.targets_for(row.service).update_every.get(Severity(row.severity))
        change, update = updates.post(lc, word, text, now, by=actor, eta=eta, every=every)
        values = {"status_word": word.value, "text": text, "eta": update.eta, "eta_at": update.eta_at, "public": public}
        created = conn.execute(
            status_updates.insert()
            .values(incident_id=row.id, author=actor, at=now, **values)
            .returning(status_updates.c.id)
        ).scalar_one()
        return change, None, created

    return run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def add_note(engine, number, text: str, *, pinned: bool = False, catalog, now, actor) -> Done:
    """A note on the timeline, pinned as a key event if asked."""

    def decide(conn, row, lc):
        (entry,) = lifecycle.add_note(lc, text, now, by=actor).entries
        created = append_one(conn, row.id, entry, now, actor=actor)
        return (lifecycle.pin(lc, created, now, by=actor) if pinned else Change(lc)), None, created

    return run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def pin(engine, number, entry_id: int, pinned: bool = True, *, catalog, now, actor) -> Done:
    """Pin (or unpin) a timeline entry of the incident as a key event."""

    def decide(conn, row, lc):
        query = sa.select(timeline.c.id).where(timeline.c.id == entry_id, timeline.c.incident_id == row.id)
        if conn.execute(query).first() is None:
            raise NotFound(f"no timeline entry {entry_id} on INC-{row.number}")
        rule = lifecycle.pin if pinned else lifecycle.unpin
        return rule(lc, entry_id, now, by=actor), None, None

    return run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def add_action(engine, number, text: str | None, *, playbook: bool = False, catalog, now, actor) -> Done:
    """Add one action, or the playbook's mitigation prompts not there yet."""

    def decide(conn, row, lc):
        if playbook:
            new, entries = checklist.from_playbook(_actions(conn, row.id), now, by=actor)
        else:
            action, entry = checklist.add(text, now, by=actor)
            new, entries = [action], (entry,)
        ids = [_insert_action(conn, row.id, action) for action in new]
        return Change(lc, entries), None, ids[-1] if ids else None

    return run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def change_action(engine, number, action_id: int, *, done=None, assignee=..., catalog, now, actor) -> Done:
    """Tick or untick an action, or assign it (`assignee` None: to nobody)."""

    def decide(conn, row, lc):
        found = [a for a in _actions(conn, row.id) if a.id == action_id]
        if not found:
            raise NotFound(f"no action {action_id} on INC-{row.number}")
        action, entries = found[0], ()
        if done is not None:
            action, entries = (checklist.tick if done else checklist.untick)(action, now, by=actor)
        if assignee is not ...:
            action, more = checklist.assign(action, assignee, now, by=actor)
            entries += more
        _update_action(conn, action)
        return Change(lc, entries), None, action.id

    return run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def declare(
    engine, *, title, service, severity: Severity, impact="", found_by="", started_at=None, catalog, now, actor
) -> Done:
    """Open an incident by hand: it pages exactly like an alert-born one of its severity (store.catch_up)."""
    chosen = catalog.service(service)
    key = f"declared:{random.getrandbits(64):016x}"
    with engine.begin() as conn:
        incident_id = conn.execute(
            incidents.insert()
            .values(
                service=service,
                group_key=key,
                group_hash=group_hash(key),
                status=escalation.TRIGGERED,
                severity=int(severity),
                title=title,
                source="declared",
                opened_at=now,
                last_alert_at=now,
                alert_events=0,
                open_token=random.getrandbits(62),
                policy=chosen.plan_data,
            )
            .returning(incidents.c.id)
        ).scalar_one()
        lc = _declared(incident_id, service, impact, found_by, started_at, now)
        lifecycle_rows.save(conn, incident_id, lc, severity=severity, targets=chosen.targets)
        caught = catch_up(
            conn, incident_id, service=service, severity=None, token=0, catalog=catalog, now=now, actor=actor
        )
        text = f"Declared by {actor}" + (f"; found by: {found_by}" if found_by else "")
        append_timeline(conn, incident_id, (Entry("declared", text, {"found_by": found_by}),), now, actor=actor)
    return Done(caught.decision, caught.number)


def _declared(incident_id, service, impact, found_by, started_at, now) -> Lifecycle:
    row = SimpleNamespace(id=incident_id, opened_at=now, service=service)
    lc = lifecycle.begin(opened_at=row.opened_at, problem_started_at=started_at, service=service, found_by=found_by)
    return replace(lc, impact=impact)


def _simple(engine, number, rule, *, catalog, now, actor) -> Done:
    """An action that changes the lifecycle only."""
    return run(
        engine, number, lambda conn, row, lc: (rule(lc, now, actor), None, None), catalog=catalog, now=now, actor=actor
    )


def _actions(conn, incident_id: int) -> list[checklist.Action]:
    query = sa.select(incident_actions).where(incident_actions.c.incident_id == incident_id)
    return [lifecycle_rows.action_of(row) for row in conn.execute(query.order_by(incident_actions.c.id))]


def _insert_action(conn, incident_id: int, action: checklist.Action) -> int:
    values = {"text": action.text, "created_by": action.created_by, "created_at": action.created_at}
    query = incident_actions.insert().values(incident_id=incident_id, **values).returning(incident_actions.c.id)
    return conn.execute(query).scalar_one()


def _update_action(conn, action: checklist.Action) -> None:
    values = {"done": action.done, "done_by": action.done_by, "done_at": action.done_at, "assignee": action.assignee}
    conn.execute(incident_actions.update().where(incident_actions.c.id == action.id).values(**values))
