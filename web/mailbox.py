"""The mailbox: on-call notices mailed (or kept here when no SMTP server is set, as on `make run`), newest
first, with how each went. What the page sink's log is to pages, this page is to mail."""

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, current_app, render_template
from flask_login import login_required

from store import notices

bp = Blueprint("mailbox", __name__)
DELIVERED = {"smtp": "mailed", "mailbox": "kept here", "no address": "not mailed: nobody has an address"}


@dataclass(frozen=True)
class Mail:
    subject: str
    to: list[str]  # "alice <alice@example.com>"
    at: datetime
    state: str
    body: str


@bp.get("/mail")
@login_required
def mail():
    """The last 100 email notices: to whom, when, what, and whether they went."""
    state = current_app.extensions["incidents"]
    with state.engine.connect() as conn:
        found = notices.mailbox(conn, limit=100)
    people = state.catalog.people
    mails = [
        Mail(
            row.subject,
            [f"{name} <{getattr(people.get(name), 'email', '') or 'no address'}>" for name in row.recipients],
            row.created_at,
            _state(row),
            row.body,
        )
        for row in found
    ]
    return render_template("mail.html", mails=mails, smtp=state.settings.smtp)


def _state(row) -> str:
    if row.delivered == "failed":
        return f"not delivered after {row.attempts} attempts: {row.last_error}"
    if row.delivered:
        return DELIVERED.get(row.delivered, row.delivered)
    return f"trying again ({row.last_error})" if row.attempts else "waiting to be sent"
