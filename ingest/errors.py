"""Errors and their HTTP answers, mapped in one place. Nothing becomes an unhandled 500."""

import logging

import sqlalchemy.exc
from flask import jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from commands.work import NotFound
from ingest.auth import Unauthenticated
from settings.catalog import flatten_errors

log = logging.getLogger(__name__)


class Problem(Exception):
    """An answer other than success: status, a message, and the fields that are wrong."""

    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields or {}


class InvalidEvent(Exception):
    """A PagerDuty Events API v2 rejection, in that API's own shape."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def invalid_fields(error: ValidationError) -> dict[str, str]:
    """marshmallow's errors as {"alerts[0].status": "Must be one of: firing, resolved."}."""
    return {path: reason for path, reason in flatten_errors(error.messages)}


def register(app) -> None:
    """Install the error handlers on the app."""
    app.register_error_handler(Problem, _problem)
    app.register_error_handler(InvalidEvent, _invalid_event)
    app.register_error_handler(ValidationError, lambda e: _problem(Problem(400, "invalid body", invalid_fields(e))))
    app.register_error_handler(Unauthenticated, _unauthenticated)
    app.register_error_handler(NotFound, lambda e: _problem(Problem(404, str(e))))
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(sqlalchemy.exc.OperationalError, _database_down)
    app.register_error_handler(sqlalchemy.exc.InterfaceError, _database_down)
    app.register_error_handler(sqlalchemy.exc.TimeoutError, _database_down)


# Events API senders (alert and change events) expect PagerDuty's own answer shape.
PAGERDUTY_SHAPED = frozenset({"intake.pagerduty_enqueue", "change_intake.pagerduty_change"})


def _problem(error: Problem):
    if request.endpoint in PAGERDUTY_SHAPED:
        return jsonify(status="invalid event", message=error.message, errors=[error.message]), error.status
    body = {"error": error.message}
    if error.fields:
        body["fields"] = error.fields
    return jsonify(body), error.status


def _invalid_event(error: InvalidEvent):
    return jsonify(status="invalid event", message="Event object is invalid", errors=error.errors), 400


def _unauthenticated(error: Unauthenticated):
    response = jsonify(error=str(error))
    response.headers["WWW-Authenticate"] = error.challenge
    return response, 401


def _http(error: HTTPException):
    return jsonify(error=error.description or error.name), error.code


def _database_down(error):
    # 503 makes Alertmanager and PagerDuty clients retry: nothing was stored, nothing is lost.
    if not _transient(error):
        log.error("database refused the request: %s", error.__class__.__name__, exc_info=error)
        return jsonify(error="the database refused this request"), 500
    log.error("database unavailable: %s", error.__class__.__name__, exc_info=error)
    response = jsonify(error="database unavailable, retry later")
    response.headers["Retry-After"] = "5"
    return response, 503


def _transient(error) -> bool:
    """A lost or refused connection, a deadlock, a shortage: worth retrying. Not a limit (class 54)."""
    state = getattr(getattr(error, "orig", None), "sqlstate", None)
    if getattr(error, "connection_invalidated", False) or state is None:
        return True
    return state[:2] in ("08", "40", "53", "57", "58")
