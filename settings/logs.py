"""How every process logs: text or, with LOG_FORMAT=json, one JSON object per line for log shippers.

Each line carries the request id and the incident when the code that logs knows them (a request's
lines, `extra={"incident": ...}`), and the periodic tick's own chatter is DEBUG, not INFO.
"""

import contextvars
import json
import logging
import os
from datetime import UTC, datetime

# The id of the HTTP request being served on this thread, for every line it logs.
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(context)s"
TICK = "tasks.tick"


class Context(logging.Filter):
    """Adds request_id (from REQUEST_ID) and incident (from `extra`) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        record.incident = getattr(record, "incident", None)
        known = [f"{key}={value}" for key in ("request_id", "incident") if (value := getattr(record, key))]
        record.context = f" [{' '.join(known)}]" if known else ""
        return True


class QuietTick(logging.Filter):
    """Celery's INFO lines about the tick (beat's "Sending due task", the worker's "received" and
    "succeeded") every two seconds are noise: they pass only when DEBUG is on."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or not record.name.startswith("celery") or TICK not in str(record.args):
            return True
        return logging.getLogger().isEnabledFor(logging.DEBUG)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, request_id, incident (and exc_info)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "incident": getattr(record, "incident", None),
        }
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def formatter(environ=None) -> logging.Formatter:
    """JSON when LOG_FORMAT=json, else one line of text."""
    env = os.environ if environ is None else environ
    return JsonFormatter() if env.get("LOG_FORMAT", "").lower() == "json" else logging.Formatter(TEXT)


def configure_logging(level: str | int = "INFO", environ=None) -> None:
    """The root logger writes to stderr in LOG_FORMAT at LOG_LEVEL (default `level`); safe to call twice."""
    env = os.environ if environ is None else environ
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(env))
    handler.addFilter(Context())
    handler.addFilter(QuietTick())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "incidents", False)]:
        root.removeHandler(old)
    handler.incidents = True
    root.addHandler(handler)
    root.setLevel(env.get("LOG_LEVEL") or level)
    logging.captureWarnings(True)  # Python's warnings (Celery's, for one) as log lines in the same format


def gunicorn_logconfig(environ=None) -> dict:
    """gunicorn's own lines (start-up, worker deaths) in JSON too when LOG_FORMAT=json; else {} (its default).

    The access log stays off unless GUNICORN_ACCESS_LOG is set: the app logs each failed request itself."""
    env = os.environ if environ is None else environ
    if env.get("LOG_FORMAT", "").lower() != "json":
        return {}
    access = "INFO" if env.get("GUNICORN_ACCESS_LOG") else "WARNING"
    return {
        "root": {"level": "INFO", "handlers": []},  # the app adds its own (configure_logging)
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": access, "handlers": ["console"], "propagate": False},
        },
        "formatters": {"generic": {"()": "settings.logs.JsonFormatter"}},
    }
