"""Request ids, and one log line per failed request (successes are not logged: see gunicorn_conf)."""

import logging
import re
import uuid

from flask import g, request

from settings.logs import REQUEST_ID

log = logging.getLogger("incidents.requests")
HEADER = "X-Request-Id"
MAX_LENGTH = 64
# What we accept from a caller's X-Request-Id: anything else (spaces, quotes, newlines) could
# forge log lines or break a header, so it is replaced by an id of our own.
ACCEPTED = re.compile(rf"[A-Za-z0-9._:@/+=-]{{1,{MAX_LENGTH}}}")


def request_id(header: str | None) -> str:
    """The caller's request id when it is short and plain, else a new one."""
    if header and ACCEPTED.fullmatch(header):
        return header
    return uuid.uuid4().hex


def register(app) -> None:
    """Give every request an id (echoed in X-Request-Id) and log the ones that failed."""
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_forget)


def _start() -> None:
    g.request_id = request_id(request.headers.get(HEADER))
    g.request_id_token = REQUEST_ID.set(g.request_id)


def _finish(response):
    response.headers[HEADER] = g.get("request_id") or request_id(None)
    if response.status_code >= 400:
        log.warning(
            "%s %s %s: %s (from %s, %s)",
            request.method,
            request.path,
            response.status_code,
            _reason(response),
            request.remote_addr or "-",
            request.user_agent.string or "no user agent",
            extra={"incident": _incident()},
        )
    return response


def _forget(_error) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        REQUEST_ID.reset(token)


def _reason(response) -> str:
    body = response.get_json(silent=True) if response.is_json else None
    if isinstance(body, dict):
        reason = body.get("error") or body.get("message") or response.status
        fields = body.get("fields") or body.get("errors")
        return f"{reason} {fields}" if fields else str(reason)
    return response.status


def _incident() -> str | None:
    return (request.view_args or {}).get("incident_ref")
