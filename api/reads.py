"""The read API: incidents with their alerts and timelines, times in ISO 8601 UTC."""

from datetime import UTC, datetime

from api import answers
from api.queries import IncidentQuery
from incidents import paging, urls
from incidents.references import incident_number
from incidents.severity import Severity
from incidents.utc import iso
from ingest.documented import API_AUTH, LIST_ERRORS, READ_ERRORS, api_blueprint, operation, state
from ingest.errors import Problem
from store import follow_ups, inbox
from store.channel import lifecycle_of
from store.pages import pages_of
from store.queries import IncidentFilter, get_incident, list_incidents

bp = api_blueprint("api", __name__, url_prefix="/api")


@bp.get("/incidents")
@bp.arguments(IncidentQuery, location="query", as_kwargs=True)
@bp.response(200, answers.IncidentList)
@operation(security=API_AUTH, errors=LIST_ERRORS)
def incident_list(status, severity, service, limit, offset):
    """Incidents, newest first; filters `status`, `severity`, `service` (repeatable); `limit`, `offset`."""
    where = IncidentFilter(status, tuple(int(Severity.parse(s)) for s in severity), service)
    with state().engine.connect() as conn:
        rows, total = list_incidents(conn, where, limit=limit, offset=offset)
    return {
        "incidents": [incident_json(row) for row in rows],
        "limit": limit,
        "offset": offset,
        "total": total,
        "more": offset + len(rows) < total,
    }


@bp.get("/requests/<request_id>")
@bp.response(200, answers.RequestState)
@operation(security=API_AUTH, errors=READ_ERRORS)
def request_state(request_id: str):
    """What an intake request became: `pending` in the inbox, or `applied` with the incidents it went to
    (`failed` with the error, for one that could not be applied)."""
    with state().engine.connect() as conn:
        found = inbox.find(conn, request_id)
    if found is None:
        raise Problem(404, f"no request {request_id}")
    if found.applied_at is None:
        return {"request_id": request_id, "state": "pending", "incidents": []}
    if isinstance(found.incidents, dict):
        return {"request_id": request_id, "state": "failed", "incidents": [], "error": found.incidents.get("error")}
    incidents = [f"INC-{number}" for number in found.incidents or ()]
    return {"request_id": request_id, "state": "applied", "incidents": incidents, "applied_at": iso(found.applied_at)}


@bp.get("/incidents/<incident_ref>")
@bp.response(200, answers.IncidentDetail)
@operation(security=API_AUTH, errors=READ_ERRORS)
def incident_detail(incident_ref: str):
    """One incident (`INC-123` or `123`) with its alerts, timeline, lifecycle, actions, status updates and pages."""
    number = incident_number(incident_ref)
    document = None
    if number is not None:
        with state().engine.connect() as conn:
            document = incident_document(conn, number, state().settings)
    if document is None:
        raise Problem(404, f"no incident {incident_ref}")
    return document


def incident_document(conn, number: int, settings) -> dict | None:
    """One incident in full: alerts, timeline, lifecycle, actions, status updates and pages; None if none."""
    found = get_incident(conn, number)
    if found is None:
        return None
    incident, alerts, entries = found
    lc, actions, updates = lifecycle_of(conn, incident)
    return (
        incident_json(incident)
        | {"alerts": [alert_json(a) for a in alerts], "timeline": [entry_json(e) for e in entries]}
        | {
            "lifecycle": lifecycle_json(lc),
            "actions": [action_json(a) for a in actions],
            "updates": [update_json(u) for u in updates],
            "pages": [page_json(p, settings) for p in pages_of(conn, incident.id)],
            "earlier_follow_ups": [earlier_json(e) for e in follow_ups.earlier(conn, incident.id, today=_today())],
        }
    )


def earlier_json(found: follow_ups.Earlier) -> dict:
    """An open follow-up of an earlier incident that this one may be the repeat of."""
    return {
        "id": found.id,
        "incident": f"INC-{found.number}",
        "incident_title": found.title,
        "service": found.service,
        "text": found.text,
        "owner": found.owner_name,
        "owner_kind": found.owner_kind,
        "due_on": found.due_on.isoformat() if found.due_on else None,
        "overdue": bool(found.overdue),
        "match": "service" if found.same_service else "alertname",
    }


def _today():
    return datetime.now(UTC).date()


def lifecycle_json(lc) -> dict:
    return {
        "phase": lc.phase.value,
        "phase_times": {phase.value: iso(at) for phase, at in lc.phase_times},
        "problem_started_at": iso(lc.problem_started_at),
        "status": lc.status_word.value,
        "impact": lc.impact,
        "affected": list(lc.affected),
        "commander": lc.commander,
        "roles": dict(lc.roles),
        "pinned": list(lc.pinned),
        "next_update_due": iso(lc.next_update_due),
        "update_misses": lc.update_misses,
        "severity_set_by": lc.severity_set_by,
        "severity_set_at": iso(lc.severity_set_at),
        "breaches": list(lc.breaches),
        "found_by": lc.found_by,
        "published": lc.published,
    }


def action_json(action) -> dict:
    return {
        "id": action.id,
        "text": action.text,
        "done": action.done,
        "done_by": action.done_by,
        "done_at": iso(action.done_at),
        "assignee": action.assignee,
        "created_by": action.created_by,
        "created_at": iso(action.created_at),
    }


def update_json(update) -> dict:
    return {
        "status": update.word.value,
        "text": update.text,
        "eta": update.eta,
        "eta_at": iso(update.eta_at),
        "author": update.author,
        "at": iso(update.at),
        "public": update.public,
    }


def incident_json(row) -> dict:
    return {
        "number": row.number,
        "id": f"INC-{row.number}",
        "title": row.title,
        "service": row.service,
        "status": row.status,
        "severity": Severity(row.severity).name,
        "source": row.source,
        "group_key": row.group_key,
        "opened_at": iso(row.opened_at),
        "acknowledged_at": iso(row.acknowledged_at),
        "resolved_at": iso(row.resolved_at),
        "last_alert_at": iso(row.last_alert_at),
        "alert_events": row.alert_events,
    }


def alert_json(row) -> dict:
    return {
        "fingerprint": row.fingerprint,
        "status": row.status,
        "severity": Severity(row.severity).name,
        "summary": row.summary,
        "labels": row.labels,
        "annotations": row.annotations,
        "generator_url": row.generator_url,
        "starts_at": iso(row.starts_at),
        "ends_at": iso(row.ends_at),
        "first_seen": iso(row.first_seen),
        "last_seen": iso(row.last_seen),
        "received_count": row.received_count,
    }


def page_json(row, settings) -> dict:
    """A page with what became of it; a trigger carries its acknowledgement link (API callers may act anyway)."""
    ack = row.action == "trigger" and row.status in ("pending", "sent")
    return {
        "id": row.id,
        "action": row.action,
        "target": paging.target_label(row),
        "state": row.status,
        "attempts": row.attempts,
        "created_at": iso(row.created_at),
        "sent_at": iso(row.sent_at),
        "next_attempt_at": iso(row.next_attempt_at) if row.status == "pending" else None,
        "last_error": row.last_error,
        "reason": row.reason,
        "outcome": paging.outcome(row),
        "ack_url": urls.page_ack_url(settings.public_url, settings.secret_key, row) if ack else None,
    }


def entry_json(row) -> dict:
    return {
        "id": row.id,
        "at": iso(row.at),
        "kind": row.kind,
        "message": row.message,
        "data": row.data,
        "actor": row.actor,
    }
