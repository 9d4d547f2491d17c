"""Reading an intake request's body: size, content type, UTF-8 and JSON, each with a clear 4xx."""

import json
import math

from flask import request

from ingest.errors import Problem

MAX_DEPTH_MESSAGE = "body is nested too deeply"


def json_body():
    """(parsed JSON, raw bytes) of the request, or a Problem: 415, 413 (by Flask), or 400."""
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise Problem(415, "Content-Type must be application/json")
    raw = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH: werkzeug raises 413
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Problem(400, f"body is not UTF-8 (byte {error.start})") from None
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite), raw
    except json.JSONDecodeError as error:
        raise Problem(400, f"body is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    except RecursionError:
        raise Problem(400, MAX_DEPTH_MESSAGE) from None
    except ValueError as error:
        raise Problem(400, f"body is not valid JSON: {error}") from None


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    # 1e400 parses as infinity, which neither JSON nor PostgreSQL's jsonb can hold.
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text[:32]} is out of range")
    return value
