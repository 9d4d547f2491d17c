"""Post-mortem commands: publish (follow-ups recorded, phase done), skip, and the reminder sweep.

Publishing and skipping lock the incident like every command (commands.work); the sweep claims
incidents whose reminder is due with `FOR UPDATE OF incidents SKIP LOCKED`, the same lock in the same
order, so two beats never remind twice and never deadlock with a publish.
"""

from datetime import datetime

from commands.incident import as_actor, run
from commands.work import Work, sweep
from incidents import escalation, lifecycle, postmortem
from incidents.lifecycle import Change, Phase
from incidents.services import Catalog
from incidents.severity import Severity
from store import escalation as incident_rows
from store import follow_ups, postmortem_drafts
from store import postmortems as rows


def publish(engine, number: int, text: str | None = None, *, catalog: Catalog, now: datetime, actor):
    """Save `text` (if given), record its action items as follow-ups, end the post-mortem phase (done)."""
    by = as_actor(actor).name

    def decide(work: Work):
        conn, row, lc = work.conn, work.row, work.lifecycle
        found = rows.draft(conn, number)
        text_now = found.text if text is None else text
        rows.save_text(conn, found, text_now, now, by)
        items, problems = postmortem.action_items(text_now)
        if problems:
            raise rows.Refused("; ".join(problems))
        follow_ups.record(conn, row.id, items, catalog=catalog, now=now, by=by)
        rows.finish(conn, row.id, postmortem.PUBLISHED, now, published_by=by)
        return _done(lc, postmortem.published(items, by=by), now, by), _resolve_reminders(row), None

    return run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def skip(engine, number: int, reason: str, *, catalog: Catalog, now: datetime, actor):
    """SEV3 and SEV4 only, with a reason written on the timeline; the phase is done."""
    by = as_actor(actor).name

    def decide(work: Work):
        conn, row, lc = work.conn, work.row, work.lifecycle
        rows.draft(conn, number)
        try:
            entry = postmortem.skipped(Severity(row.severity), reason, by=by)
        except ValueError as error:
            raise rows.Refused(str(error)) from None
        rows.finish(conn, row.id, postmortem.SKIPPED, now, skip_reason=entry.data["reason"])
        return _done(lc, entry, now, by), _resolve_reminders(row), None

    return run(engine, number, decide, catalog=catalog, now=now, actor=actor)


def _done(lc, entry, now: datetime, actor: str) -> Change:
    """The post-mortem phase ends: the incident is closed (phase done)."""
    moved = lifecycle.enter(lc, Phase.DONE, now, by=actor)
    return Change(moved.lifecycle, (entry,) + moved.entries)


def _resolve_reminders(row) -> escalation.Step:
    """Reminder pages sent to PagerDuty are resolved there (those not sent yet are cancelled)."""
    return escalation.Step(incident_rows.state_of(row), notify="resolve", why="post-mortem finished")


def sweep_reminders(engine, catalog: Catalog, *, now: datetime, limit: int = 50) -> list:
    """Post-mortem reminders due by `now`, for up to `limit` incidents no other beat holds, in one
    transaction; the decisions (notice pages, chat) to hand to the workers once committed."""
    return sweep(engine, rows.claim_reminders, _remind, catalog=catalog, now=now, limit=limit)


def _remind(work: Work):
    conn, row, now = work.conn, work.row, work.now
    # Re-read under the lock: another beat may have reminded and committed since this one's snapshot.
    pm = rows.reminder_due(conn, row.id)
    due, remind_at = pm.due_at, pm.remind_at
    if pm.state != postmortem.DRAFT or remind_at is None or remind_at > now:
        return work.unchanged()
    postmortem_drafts.written(conn, row.number)  # it falls due: somebody will open it now
    lc = work.lifecycle
    person = lc.commander or next((n for n in rows.acknowledgers(conn, row.id) if n in work.catalog.people), None)
    notice = postmortem.reminder_notice(person, due, now)
    entry = postmortem.reminder(due, now, whom=notice.person or "the current on-call level")
    later = [at for at in postmortem.reminder_times(due, pm.created_at) if at > now]
    rows.reminded(conn, row.id, remind_at=later[0] if later else None, sent=pm.reminders_sent + 1)
    return work.write(change=Change(lc, (entry,), (notice,)))
