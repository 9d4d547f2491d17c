"""The one writer of an outcome (incidents.outcome): on the incident a command has locked, in its
transaction, the state with a new token, the page outbox, the timeline, the lifecycle, the post-mortem
draft and chat. It decides nothing: what to write comes decided."""

import random
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa

from incidents.actors import Actor
from incidents.outcome import Outcome
from incidents.services import Catalog
from store import chat as chat_outbox
from store import lifecycle_rows, outbox, postmortem_drafts
from store.tables import incidents
from store.timeline import append_timeline


@dataclass(frozen=True)
class Applied:
    """What a committed outcome asks the workers to do: send these pages, wake up then, post to chat."""

    incident_id: int
    token: int
    page_ids: tuple[int, ...]
    wake_at: datetime | None
    chat_ids: tuple[int, ...] = ()


def unchanged(row) -> Applied:
    """Nothing to hand over: the incident keeps its token (a wake-up scheduled for it stays valid)."""
    return Applied(row.id, row.esc_token, (), None)


def write(
    conn, row, outcome: Outcome, *, catalog: Catalog, now: datetime, actor: Actor, due_at: datetime | None = None
) -> Applied:
    """Write `outcome` on the locked incident `row`, every entry by `actor`. `due_at` is when the work
    was due (a wake-up's scheduled time), for the page lateness metric."""
    step, token = outcome.step, random.getrandbits(62)
    _save_state(conn, row, step.state, token, now)
    page_ids, entries = outbox.insert(conn, row, step.pages, catalog, now, due_at or now), step.entries
    if step.notify:
        entries += outbox.cancel_unsent(conn, row.id, step.notify, step.why)
        page_ids += outbox.follow_up(conn, row.id, step.notify, step.state.round, now)
    _append(conn, row.id, entries + outcome.followed, now, actor)
    targets = catalog.targets_for(row.service)
    if outcome.lifecycle is not None:
        lifecycle_rows.save(conn, row.id, outcome.lifecycle, severity=step.state.severity, targets=targets)
    if outcome.draft:
        postmortem_drafts.open_draft(conn, row.id, outcome.lifecycle, step.state.severity, targets, now)
    chat_ids = chat_outbox.queue(conn, row, outcome.chat, severity=step.state.severity, catalog=catalog, now=now)
    return Applied(row.id, token, tuple(page_ids), step.state.next_wake, chat_ids)


def _append(conn, incident_id: int, entries, now: datetime, actor: Actor) -> None:
    if actor.data:
        entries = tuple(replace(entry, data=entry.data | actor.data) for entry in entries)
    append_timeline(conn, incident_id, entries, now, actor=actor.name)


def _save_state(conn, row, state, token: int, now: datetime) -> None:
    acknowledged_at, resolved_at = _status_times(row, state, now)
    values = {
        "row_id": row.id,
        "v_status": state.status,
        "v_severity": int(state.severity),
        "v_level": state.level,
        "v_loop": state.loop,
        "v_round": state.round,
        "v_due_at": state.due_at,
        "v_unresolved_due_at": state.unresolved_due_at,
        "v_exhausted": state.exhausted,
        "v_last_level_loop": state.last_level_loop,
        "v_held": state.held,
        "v_token": token,
        "v_next_wake_at": state.next_wake,
        "v_acknowledged_at": acknowledged_at,
        "v_resolved_at": resolved_at,
    }
    conn.execute(_SAVE_STATE, values)


# Built once, like every statement a request runs: building one costs more than running it.
_SAVE_STATE = (
    incidents.update()
    .where(incidents.c.id == sa.bindparam("row_id"))
    .values(
        status=sa.bindparam("v_status"),
        severity=sa.bindparam("v_severity"),
        esc_level=sa.bindparam("v_level"),
        esc_loop=sa.bindparam("v_loop"),
        esc_round=sa.bindparam("v_round"),
        esc_due_at=sa.bindparam("v_due_at"),
        esc_unresolved_due_at=sa.bindparam("v_unresolved_due_at"),
        esc_exhausted=sa.bindparam("v_exhausted"),
        esc_last_level_loop=sa.bindparam("v_last_level_loop"),
        esc_held=sa.bindparam("v_held"),
        esc_token=sa.bindparam("v_token"),
        next_wake_at=sa.bindparam("v_next_wake_at"),
        acknowledged_at=sa.bindparam("v_acknowledged_at"),
        resolved_at=sa.bindparam("v_resolved_at"),
    )
)


def _status_times(row, state, now) -> tuple:
    """(acknowledged_at, resolved_at) after the step: set when the status moves there."""
    if state.status == row.status:
        return row.acknowledged_at, row.resolved_at
    if row.status == "resolved":  # reopened: no longer resolved; the first acknowledgement still counts (MTTA)
        return row.acknowledged_at or (now if state.status == "acknowledged" else None), None
    return {
        "acknowledged": (now, row.resolved_at),
        "resolved": (row.acknowledged_at, now),
        "triggered": (None, row.resolved_at),
    }[state.status]
