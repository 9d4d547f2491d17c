"""The read API: incidents with their alerts and timelines, times in ISO 8601 UTC."""

import re
from datetime import UTC

from flask import Blueprint, current_app, jsonify, request

from incidents.severity import Severity
from ingest import auth
from ingest.errors import Problem
from store.queries import IncidentFilter, get_incident, list_incidents

bp = Blueprint("api", __name__, url_prefix="/api")
STATUSES = ("triggered", "acknowledged", "resolved")
INCIDENT_REF = re.compile(r"(?:INC-)?([0-9]{1,9})", re.IGNORECASE)
DIGITS = re.compile(r"[0-9]{1,10}")


@bp.before_request
def _authenticate():
    """Every API call, reads included, presents an API token (config `api_tokens`), as with PagerDuty's API."""
    auth.api_caller(current_app.extensions["incidents"].catalog, request.headers.get("Authorization"))


@bp.get("/incidents")
def incident_list():
    """Incidents, newest first; filters `status`, `severity`, `service` (repeatable); `limit`, `offset`."""
    where = IncidentFilter(
        _choices("status", STATUSES), tuple(_severity(s) for s in _values("severity")), _values("service")
    )
    limit, offset = _int("limit", 25, 1, 100), _int("offset", 0, 0, 10**9)
    with current_app.extensions["incidents"].engine.connect() as conn:
        rows, total = list_incidents(conn, where, limit=limit, offset=offset)
    return jsonify(
        incidents=[incident_json(row) for row in rows],
        limit=limit,
        offset=offset,
        total=total,
        more=offset + len(rows) < total,
    )


@bp.get("/incidents/<incident_ref>")
def incident_detail(incident_ref: str):
    """One incident (`INC-123` or `123`) with its alerts and timeline."""
    number = incident_number(incident_ref)
    found = None
    if number is not None:
        with current_app.extensions["incidents"].engine.connect() as conn:
            found = get_incident(conn, number)
    if found is None:
        raise Problem(404, f"no incident {incident_ref}")
    incident, alerts, entries = found
    return jsonify(
        incident_json(incident)
        | {"alerts": [alert_json(a) for a in alerts], "timeline": [entry_json(e) for e in entries]}
    )


def incident_number(incident_ref: str) -> int | None:
    """123 for `INC-123` or `123`; None for anything else (str.isdigit would take "¹", which int refuses)."""
    found = INCIDENT_REF.fullmatch(incident_ref)
    return int(found.group(1)) if found else None


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


def entry_json(row) -> dict:
    return {"at": iso(row.at), "kind": row.kind, "message": row.message, "data": row.data}


def iso(value) -> str | None:
    """ISO 8601 in UTC with a Z; SQLite hands back naive datetimes, which are UTC."""
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat().replace("+00:00", "Z")


def _values(name: str) -> tuple[str, ...]:
    return tuple(v for raw in request.args.getlist(name) for v in raw.split(",") if v)


def _choices(name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    values = _values(name)
    wrong = [v for v in values if v not in allowed]
    if wrong:
        raise Problem(400, "invalid filter", {name: f"must be one of {', '.join(allowed)}"})
    return values


def _severity(text: str) -> int:
    try:
        return int(Severity.parse(text))
    except ValueError as error:
        raise Problem(400, "invalid filter", {"severity": str(error)}) from None


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, str(default))
    if not DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise Problem(400, "invalid parameter", {name: f"must be an integer from {low} to {high}"})
    return int(raw)
