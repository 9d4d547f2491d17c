"""`/local-pagerduty` for people: every page the built-in PagerDuty sink received, newest first, each as
PagerDuty would have shown it (its summary, who it was for) with its acknowledgement link. Served only where
the sink is (settings.local_pagerduty: `make run`), so a new user sees what PagerDuty would have got."""

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, current_app, render_template
from flask_login import login_required

from incidents import paging, urls
from incidents.page_steps import StepKind
from store import sent_pages

bp = Blueprint("page_sink", __name__)


@dataclass(frozen=True)
class Received:
    """One event the sink took: a page (`trigger`) or the acknowledge/resolve that followed one."""

    at: datetime
    action: str
    to: str  # "user oncall-sre"
    number: int
    summary: str
    reason: str
    ack_url: str | None


@bp.get(urls.LOCAL_PAGERDUTY_PATH)
@login_required
def pages_sent():
    """The last 100 events the sink received."""
    state = current_app.extensions["incidents"]
    with state.engine.connect() as conn:
        rows = sent_pages.newest(conn, limit=100)
    received = [_received(row, state.settings) for row in rows]
    return render_template("page_sink.html", received=received)


def _received(row, settings) -> Received:
    ack = None
    summary = f"[INC-{row.number}] {row.title}"
    if row.action == "trigger" and row.step_kind != StepKind.SUMMARY:
        # The summary and link the worker sent (workers/paging.py builds the event with the same function).
        ack = urls.page_ack_url(settings.public_url, settings.secret_key, row, signed_at=row.sent_at)
        event = paging.trigger_event(
            row, labels={}, incident_url=urls.incident_url(settings.public_url, row.number), ack_url=ack
        )
        summary = event["payload"]["summary"]
    elif row.action == "trigger":
        summary = row.reason
    return Received(row.sent_at, row.action, paging.target_label(row), row.number, summary, row.reason, ack)
