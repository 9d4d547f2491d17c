"""People's actions on an incident: command, roles, status, severity, updates, notes, actions, declaring.

Each takes the incident number, the request, `actor` and `now`, runs as one unit of work
(commands.work) and returns Done: the committed decision for the workers. The web pages and the API
call the same functions.
"""

import random
from dataclasses import dataclass, replace
from datetime import datetime

from commands import alerts
from commands.work import NotFound, Work, as_actor, on_incident
from incidents import checklist, escalation, lifecycle, updates
from incidents.lifecycle import Change, Phase, StatusWord
from incidents.services import Catalog
from incidents.severity import Severity
from incidents.timeline import Entry
from store import lifecycle as rows
from store import lifecycle_rows
from store.recording import group_hash
from store.timeline import append_one, append_timeline
from store.writer import Applied


@dataclass(frozen=True)
class Done:
    """What an action committed: the escalation decision to hand to the workers, and a new row's id."""

    decision: Applied
    number: int
    created_id: int | None = None


def run(engine, number: int, decide, *, catalog: Catalog, now: datetime, actor) -> Done:
    """`decide(work)` returns (lifecycle Change, escalation Step or None, a new row's id), written at once."""
    with on_incident(engine, catalog=catalog, now=now, actor=as_actor(actor), number=number) as work:
        change, step, created = decide(work)
        return Done(work.write(step, change=change), work.row.number, created)


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

    def decide(work: Work):
        by = work.actor.name
        change = lifecycle.severity_chosen(work.lifecycle, work.state.severity, severity, reason, now, by=by)
        return change, escalation.set_severity(work.plan, work.state, severity, now), None

    return run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def reopen(engine, number, reason: str, *, catalog, now, actor) -> Done:
    """A resolved incident is back: acknowledged by `actor`, investigated again, on the timeline with `reason`.
    ValueError if it is not resolved, or if a newer incident is open for the same alerts (work there)."""

    def decide(work: Work):
        newer = rows.open_twin(work.conn, work.row)
        if newer is not None:
            raise ValueError(f"INC-{newer} is open for the same alerts: carry on there instead.")
        step = escalation.reopen(work.plan, work.state, now, by=work.actor.says, reason=reason)
        every = catalog.targets_for(work.row.service).update_every.get(Severity(work.row.severity))
        return lifecycle.reopened(work.lifecycle, now, update_every=every), step, None

    return run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def post_update(
    engine, number, word: StatusWord, text: str, eta: str = "", *, public: bool = False, catalog, now, actor
) -> Done:
    """Post a status update (`public`: published to the status page); the next is due by the severity's cadence.
    ValueError for a wrong ETA."""

    def decide(work: Work):
        by = work.actor.name
        every = catalog.targets_for(work.row.service).update_every.get(Severity(work.row.severity))
        change, update = updates.post(work.lifecycle, word, text, now, by=by, eta=eta, every=every, public=public)
        values = {"status_word": word.value, "text": text, "eta": update.eta, "eta_at": update.eta_at, "public": public}
        return change, None, rows.insert_update(work.conn, work.row.id, values, author=by, at=now)

    return run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def publish(engine, number, published: bool = True, **kw) -> Done:
    """Put the incident on the public status page, or (`published` False) take it off."""
    rule = lifecycle.publish if published else lifecycle.unpublish
    return _simple(engine, number, lambda lc, now, by: rule(lc, now, by=by), **kw)


def add_note(engine, number, text: str, *, pinned: bool = False, catalog, now, actor) -> Done:
    """A note on the timeline, pinned as a key event if asked."""

    def decide(work: Work):
        by, lc = work.actor.name, work.lifecycle
        (entry,) = lifecycle.add_note(lc, text, now, by=by).entries
        created = append_one(work.conn, work.row.id, entry, now, actor=by)
        return (lifecycle.pin(lc, created, now, by=by) if pinned else Change(lc)), None, created

    return run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def pin(engine, number, entry_id: int, pinned: bool = True, *, catalog, now, actor) -> Done:
    """Pin (or unpin) a timeline entry of the incident as a key event."""

    def decide(work: Work):
        if not rows.has_entry(work.conn, work.row.id, entry_id):
            raise NotFound(f"no timeline entry {entry_id} on INC-{work.row.number}")
        rule = lifecycle.pin if pinned else lifecycle.unpin
        return rule(work.lifecycle, entry_id, now, by=work.actor.name), None, None

    return run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def add_action(engine, number, text: str | None, *, playbook: bool = False, catalog, now, actor) -> Done:
    """Add one action, or the playbook's mitigation prompts not there yet."""

    def decide(work: Work):
        by = work.actor.name
        if playbook:
            new, entries = checklist.from_playbook(rows.actions_of(work.conn, work.row.id), now, by=by)
        else:
            action, entry = checklist.add(text, now, by=by)
            new, entries = [action], (entry,)
        ids = [rows.insert_action(work.conn, work.row.id, action) for action in new]
        return Change(work.lifecycle, entries), None, ids[-1] if ids else None

    return run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def change_action(engine, number, action_id: int, *, done=None, assignee=..., catalog, now, actor) -> Done:
    """Tick or untick an action, or assign it (`assignee` None: to nobody)."""

    def decide(work: Work):
        by = work.actor.name
        found = [a for a in rows.actions_of(work.conn, work.row.id) if a.id == action_id]
        if not found:
            raise NotFound(f"no action {action_id} on INC-{work.row.number}")
        action, entries = found[0], ()
        if done is not None:
            action, entries = (checklist.tick if done else checklist.untick)(action, now, by=by)
        if assignee is not ...:
            action, more = checklist.assign(action, assignee, now, by=by)
            entries += more
        rows.update_action(work.conn, action)
        return Change(work.lifecycle, entries), None, action.id

    return run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def declare(
    engine,
    *,
    title,
    service,
    severity: Severity,
    impact="",
    found_by="",
    started_at=None,
    commander=None,
    catalog,
    now,
    actor,
) -> Done:
    """Open an incident by hand: it opens through the same command as an alert-born one (commands.alerts.open_new)
    and so pages exactly like one of its severity; `commander` (a person) commands it from the start."""
    actor, chosen = as_actor(actor), catalog.service(service)
    key = f"declared:{random.getrandbits(64):016x}"
    values = {
        "service": service,
        "group_key": key,
        "group_hash": group_hash(key),
        "status": escalation.TRIGGERED,
        "severity": int(severity),
        "title": title,
        "source": "declared",
        "opened_at": now,
        "last_alert_at": now,
        "alert_events": 0,
        "open_token": random.getrandbits(62),
        "policy": chosen.plan_data,
    }
    with engine.begin() as conn:
        incident_id = rows.insert_incident(conn, values)
        lc = lifecycle.begin(opened_at=now, problem_started_at=started_at, service=service, found_by=found_by)
        lc = replace(lc, impact=impact)
        led = lifecycle.take_command(lc, commander, now, by=actor.name) if commander else Change(lc)
        lifecycle_rows.save(conn, incident_id, led.lifecycle, severity=severity, targets=chosen.targets)
        caught = alerts.catch_up(
            conn, incident_id, service=service, severity=None, token=0, catalog=catalog, now=now, actor=actor
        )
        text = f"Declared by {actor.says}" + (f"; found by: {found_by}" if found_by else "")
        declared = (Entry("declared", text, {"found_by": found_by}), *led.entries)
        append_timeline(conn, incident_id, declared, now, actor=actor.name)
    return Done(caught.decision, caught.number)


def _simple(engine, number, rule, *, catalog, now, actor) -> Done:
    """An action that changes the lifecycle only."""
    by = as_actor(actor).name
    return run(
        engine, number, lambda work: (rule(work.lifecycle, now, by), None, None), catalog=catalog, now=now, actor=actor
    )
