"""A built-in stand-in for PagerDuty's Events API v2, for a first run without a PagerDuty account.

Served only when the events URL points at it, which is the default on the embedded set-up
(`make run`: no DATABASE_URL, no PAGERDUTY_EVENTS_URL). It answers as PagerDuty does (202 with
`status`, `message`, `dedup_key`; docs/contracts.md (PagerDuty Events API v2)) and logs each page
with its acknowledgement link, so a newcomer sees paging work in the terminal. Setting
PAGERDUTY_EVENTS_URL (a real PagerDuty host) switches it off. The workers do not post here: they
take their pages to the sink in their own process (workers/pagerduty.py, LocalSink), which logs them alike.
"""

import logging

from flask import jsonify, request

from api import answers
from incidents import paging
from incidents.urls import LOCAL_PAGERDUTY_PATH
from ingest.documented import NONE, Blueprint, body_doc, operation
from ingest.sources import pagerduty

bp = Blueprint("local_pagerduty", __name__, url_prefix=LOCAL_PAGERDUTY_PATH)
log = logging.getLogger(__name__)
ACTIONS = ("trigger", "acknowledge", "resolve")


@bp.post("/v2/enqueue")
@bp.response(202, answers.LocalEventAnswer, description="Taken")
@operation(security=NONE, errors={400: "INVALID_EVENT", 413: None}, requestBody=body_doc(pagerduty.EventSchema))
def enqueue():
    """Events API v2 as PagerDuty answers it; logs each page instead of sending it (any routing_key).

    Take an event as PagerDuty would, and say in the log who would have been notified."""
    event = request.get_json(silent=True)
    if not isinstance(event, dict) or event.get("event_action") not in ACTIONS:
        errors = ["'event_action' is invalid"] if isinstance(event, dict) else ["Event object is not an object"]
        return jsonify(status="invalid event", message="Event object is invalid", errors=errors), 400
    log.info("%s", paging.describe(event))
    return jsonify(status="success", message="Event processed", dedup_key=event.get("dedup_key")), 202
