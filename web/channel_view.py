"""The incident page as people read it: the incident channel, its targets and countdown, who was paged."""

from datetime import datetime

import sqlalchemy as sa

from commands.oncall import levels_now
from incidents import channel, paging, rollbacks
from incidents.durations import spoken
from incidents.lifecycle import ROLES, Lifecycle, StatusWord
from incidents.page_steps import StepKind
from incidents.services import Catalog
from incidents.severity import Severity
from incidents.shifts import next_escalation
from incidents.targets import MILESTONES, Targets, deadline, open_deadlines, reached_at
from store import escalation, follow_ups
from store.channel import lifecycle_of
from store.incident_page import key_entries, live_version, newest_entries
from store.pages import pages_of
from store.queries import INCIDENT_COLUMNS
from store.tables import alerts, incidents
from web.incident_view import alert_views, incident_summary, next_action, phase_strip, state_words, timeline_views
from web.publishing_view import publishing_view
from web.rollback_view import rollback_context

TARGET_NAMES = {
    "detection": "Detection target",
    "response": "Response target",
    "mitigation": "Mitigation target",
    "recovery": "Recovery target",
    "postmortem": "Post-mortem target",
}
UPDATE_DUE = "Next status update"
# What an alert card shows (web.incident_view.alert_views), not the bookkeeping columns.
ALERT_COLUMNS = (
    alerts.c.fingerprint,
    alerts.c.status,
    alerts.c.severity,
    alerts.c.summary,
    alerts.c.labels,
    alerts.c.annotations,
    alerts.c.generator_url,
    alerts.c.starts_at,
    alerts.c.last_seen,
    alerts.c.received_count,
)


def page_context(
    conn,
    number: int,
    catalog: Catalog,
    now: datetime,
    *,
    timeline_limit: int | None,
    alerts_limit: int | None,
    ack_url=lambda page: None,
) -> dict | None:
    """Everything the incident page shows of incident `number`, or None if there is none; `ack_url(page)`
    is a trigger's acknowledgement link (incidents.urls.page_ack_url)."""
    row = conn.execute(sa.select(*INCIDENT_COLUMNS).where(incidents.c.number == number)).first()
    if row is None:
        return None
    lc, actions, updates = lifecycle_of(conn, row)
    alert_rows = conn.execute(
        sa.select(*ALERT_COLUMNS).where(alerts.c.incident_id == row.id).order_by(alerts.c.first_seen, alerts.c.id)
    ).all()
    entries, total = newest_entries(conn, row.id, timeline_limit)
    # The labels that tell alerts apart are worked out over all of them; only the alerts shown become views.
    shown_alerts, tags = alert_views(alert_rows, alerts_limit)
    severity = Severity(row.severity)
    pages = [_page_view(page, ack_url) for page in pages_of(conn, row.id)]
    key = key_entries(conn, row.id, lc.pinned)  # the key events, rollback decisions among them
    summary, view = incident_summary(row), _channel_view(row, lc, catalog, actions, updates, key)
    targets = target_views(lc, severity, catalog.targets_for(row.service), now, resolved=row.status == "resolved")
    return {
        "incident": summary,
        "version": live_version(conn, number),
        "channel": view,
        "targets": targets,
        # One vocabulary for people: the status word with an acknowledged mark, the phase as a strip.
        "state": state_words(row.status, view["status_word"]),
        "phases": phase_strip(view["phase"]),
        "next_action": next_action(summary, view, targets),
        "on_status_page": any(component.service in lc.affected for component in catalog.components),
        "alerts": shown_alerts,  # firing ones first
        "alerts_total": len(alert_rows),
        "timeline": timeline_views(entries, tags, pinned=lc.pinned),
        "timeline_total": total,
        "pages": pages,
        "rollback": rollback_context(conn, row, lc, catalog, now, rollbacks.decided_of(key)),
        "earlier": follow_ups.earlier(conn, row.id, today=now.date()),
        "oncall": oncall_view(conn, number, catalog, now),
        "pulled_in": sorted({p["target"] for p in pages if p["step_kind"] == StepKind.RESPONDER}),
        "people": sorted(catalog.people),
        "teams": sorted(catalog.teams),
        "roles": ROLES,
        "words": [word.value for word in StatusWord],
        "severities": [s.name for s in Severity],
        "publishing": publishing_view(row, lc, catalog, now),
    }


def oncall_view(conn, number: int, catalog: Catalog, now: datetime) -> dict:
    """Who each level of the incident's policy (its frozen copy) pages now, and the next escalation due."""
    row = escalation.read(conn, number)
    plan = escalation.plan_of(row)
    levels = levels_now(conn, catalog, plan.policy, now)
    pending = next_escalation(plan, escalation.state_of(row))
    paged_next = [on for on in levels if pending and on.level == pending.level]
    return {"levels": levels, "next": pending, "level": row.esc_level + 1, "paged_next": paged_next}


def _channel_view(row, lc: Lifecycle, catalog: Catalog, actions, updates, key) -> dict:
    """The channel template's content: status line, impact, commander, affected, key events, actions, updates."""
    severity = Severity(row.severity)
    events = [_entry_row(e) for e in key]
    return {
        "colour": channel.COLOURS[severity],
        "severity": severity.name,
        "status_word": lc.status_word.value,
        "phase": lc.phase.value,
        "impact": lc.impact,
        "commander": lc.commander,
        "commander_label": catalog.label_of(lc.commander) if lc.commander else "",
        "roles": dict(lc.roles),
        "affected": lc.affected,
        "events": channel.key_events(events, pinned=lc.pinned, source=row.source),
        "actions": actions,
        "updates": updates[-3:][::-1],
        "updates_total": len(updates),
        "eta": updates[-1].eta if updates else "",
        "eta_at": updates[-1].eta_at if updates else None,
    }


def target_views(lc: Lifecycle, severity: Severity, targets: Targets, now: datetime, *, resolved: bool) -> dict:
    """The most urgent open deadline (for the countdown), targets breached (recorded or past due), an overdue update."""
    pending = []
    for name in MILESTONES:
        due = deadline(lc, name, severity, targets)
        if due is not None and reached_at(lc, name) is None:
            pending.append({"name": name, "label": _label(name, severity, targets), "due": due})
    update_due = None if resolved else lc.next_update_due
    if update_due is not None:
        pending.append({"name": "update", "label": UPDATE_DUE, "due": update_due})
    pending.sort(key=lambda target: target["due"])
    breached = [TARGET_NAMES[name] for name in lc.breaches]
    # A target past due (reached late, or not yet) that the sweep has not written yet is breached all the same.
    breached += [TARGET_NAMES[name] for name, due in open_deadlines(lc, severity, targets).items() if due <= now]
    return {
        "next": pending[0] if pending else None,  # the most urgent: counted down, or overdue
        "pending": pending,
        "breached": list(dict.fromkeys(breached)),
        "update_overdue": update_due is not None and (update_due <= now or lc.update_misses > 0),
        "update_due": update_due,
    }


def _label(name: str, severity: Severity, targets: Targets) -> str:
    span = spoken(targets.limit(name, severity))
    by_severity = name in ("response", "mitigation", "recovery")  # their limits depend on the severity
    return f"{TARGET_NAMES[name]} ({severity.name + ', ' if by_severity else ''}{span})"


def _entry_row(entry):
    """A timeline row as channel.key_events reads it, its time aware UTC."""
    return type("Row", (), {"id": entry.id, "at": entry.at, "kind": entry.kind, "message": entry.message})


def _page_view(page, ack_url) -> dict:
    acknowledgeable = page.action == "trigger" and page.status in ("pending", "sent")
    return {
        "target": paging.target_label(page),
        "outcome": paging.outcome(page),
        "ack_url": ack_url(page) if acknowledgeable else None,
        "action": page.action,
        "step": page.step,
        "step_kind": page.step_kind,
        "reason": page.reason,
        "status": page.status,
        "attempts": page.attempts,
        "created_at": page.created_at,
        "sent_at": page.sent_at,
        "last_error": page.last_error,
    }
