"""Errors and their HTTP answers, mapped in one place. Nothing becomes an unhandled 500."""

import functools
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


def register(app, *, page=None) -> None:
    """Install the error handlers on the app. `page(status, message)`, when given, answers people's browsers
    (web/error_pages.py) where machines get JSON (`for_people`)."""
    app.register_error_handler(Problem, _problem)
    app.register_error_handler(InvalidEvent, _invalid_event)
    app.register_error_handler(ValidationError, lambda e: _problem(Problem(400, "invalid body", invalid_fields(e))))
    app.register_error_handler(Unauthenticated, _unauthenticated)
    app.register_error_handler(NotFound, lambda e: _problem(Problem(404, str(e))))
    app.register_error_handler(HTTPException, functools.partial(_http, page))
    for error in (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, sqlalchemy.exc.TimeoutError):
        app.register_error_handler(error, functools.partial(_database_down, page))


# JSON whatever the caller accepts: the API, and the routes senders post to (intake, changes, sinks).
MACHINE_PATHS = ("/api/", "/webhooks/", "/v2/", "/local-pagerduty/", "/openapi.json", "/healthz", "/readyz", "/metrics")


def for_people() -> bool:
    """A browser asking for a page: HTML preferred over JSON (curl's and clients' `*/*` is not), outside
    the API and the intake routes."""
    accept = request.accept_mimetypes
    return not request.path.startswith(MACHINE_PATHS) and accept["text/html"] > accept["application/json"]


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


def _http(page, error: HTTPException):
    if page is not None and for_people():
        return page(error.code, error.description if _own_words(error) else None)
    response = error.get_response()  # keeps what the error carries: Allow on a 405, Retry-After ...
    response.data = jsonify(error=error.description or error.name).get_data()
    response.content_type = "application/json"
    return response


def _own_words(error: HTTPException) -> bool:
    """True when the view said why (`abort(404, "This incident has no post-mortem...")`), not werkzeug."""
    return bool(error.description) and error.description != type(error).description


def _database_down(page, error):
    # 503 makes Alertmanager and PagerDuty clients retry: nothing was stored, nothing is lost.
    if not _transient(error):
        log.error("database refused the request: %s", error.__class__.__name__, exc_info=error)
        return _answer(page, 500, "the database refused this request")
    log.error("database unavailable: %s", error.__class__.__name__, exc_info=error)
    response, status = _answer(page, 503, "database unavailable, retry later")
    response.headers["Retry-After"] = "5"
    return response, status


def _answer(page, status: int, message: str):
    if page is not None and for_people():
        response, status = page(status, None)
        return response, status
    return jsonify(error=message), status


def _transient(error) -> bool:
    """A lost or refused connection, a deadlock, a shortage: worth retrying. Not a limit (class 54)."""
    state = getattr(getattr(error, "orig", None), "sqlstate", None)
    if getattr(error, "connection_invalidated", False) or state is None:
        return True
    return state[:2] in ("08", "40", "53", "57", "58")
