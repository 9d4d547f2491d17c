"""Sending on-call notices (incidents/notices.py): email through SMTP (or the built-in mailbox when
SMTP_HOST is unset), chat through the schedule's webhook. Never a PagerDuty page."""

import logging
import smtplib
from datetime import datetime

import requests

from incidents.notices import EMAIL, retry_after
from incidents.services import Catalog
from settings.env import Settings
from store import notices as store
from workers import mail, slack

log = logging.getLogger(__name__)
BATCH, BATCHES = 20, 10


def send_due(engine, catalog: Catalog, settings: Settings, *, now: datetime, session=None) -> int:
    """Notices due by `now`, a batch per transaction (rows locked, SKIP LOCKED: two beats or workers send
    each once), until a batch comes back short; how many were handled."""
    session = session or requests.Session()
    handled = 0
    for _ in range(BATCHES):
        with engine.begin() as conn:
            rows = store.claim(conn, now=now, limit=BATCH)
            for row in rows:
                _send(conn, row, catalog, settings, session, now)
        handled += len(rows)
        if len(rows) < BATCH:
            break
    return handled


def _send(conn, row, catalog: Catalog, settings: Settings, session, now: datetime) -> None:
    try:
        how = _email(row, catalog, settings) if row.channel == EMAIL else _chat(row, catalog, session)
    except (smtplib.SMTPException, OSError, slack.TransientError, slack.PermanentError) as error:
        attempts = row.attempts + 1
        retry = retry_after(attempts)
        log.warning("notice %s not sent (attempt %d): %s", row.key, attempts, error)
        if retry is None:
            store.mark_failed(conn, row.id, str(error), attempts=attempts, at=now)
        else:
            store.mark_retrying(conn, row.id, str(error), attempts=attempts, retry_at=now + retry)
        return
    store.mark_sent(conn, row.id, how=how, at=now)


def _email(row, catalog: Catalog, settings: Settings) -> str:
    addresses = [catalog.people[name].email for name in row.recipients if name in catalog.people]
    addresses = [address for address in addresses if address]
    if not addresses:
        return "no address"
    if settings.smtp is None:
        return "mailbox"
    mail.send(settings.smtp, addresses, row.subject, row.body)
    return "smtp"


def _chat(row, catalog: Catalog, session) -> str:
    schedule = catalog.schedules.get(row.schedule)
    url = getattr(schedule.chat, "webhook_url", "") if schedule else ""
    if not url:
        return "no chat"
    slack.post_webhook(session, url, {"text": f"*{row.subject}*\n{row.body}"})
    return "chat"
