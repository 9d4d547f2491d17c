"""Handing committed decisions to the workers: page tasks now, a wake-up hint for later.

Called only after the deciding transaction committed. A failure to enqueue loses nothing: the
outbox row and the due time are in the database, and the periodic tick picks them up.
"""
import logging
from datetime import datetime, timezone

from kombu.exceptions import OperationalError

from settings.env import VISIBILITY_TIMEOUT

log = logging.getLogger(__name__)
# A countdown past the broker's visibility timeout would be delivered twice; later wake-ups are
# left to the tick, which claims them from the database when they fall due.
MAX_COUNTDOWN = VISIBILITY_TIMEOUT - 600
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


class Dispatcher:
    """Enqueues tasks by name, so the web process needs no task code."""

    def __init__(self, celery_app):
        self.celery = celery_app

    def __call__(self, decisions, *, now: datetime | None = None) -> None:
        now = now or datetime.now(timezone.utc)
        for decision in decisions:
            for page_id in decision.page_ids:
                self.page(page_id)
            if decision.wake_at is not None:
                self.wake(decision.incident_id, decision.token, decision.wake_at, now)

    def page(self, page_id: int) -> None:
        self._send("tasks.page_target", (page_id,))

    def wake(self, incident_id: int, token: int, wake_at: datetime, now: datetime) -> None:
        countdown = max(0.0, (wake_at - now).total_seconds())
        if countdown <= MAX_COUNTDOWN:
            self._send("tasks.escalate", (incident_id, token), countdown=countdown)

    def _send(self, name: str, args: tuple, **options) -> None:
        try:
            self.celery.send_task(name, args, retry=True, retry_policy=PUBLISH_RETRY, **options)
        except OperationalError as error:
            log.error("could not enqueue %s%s (the tick will pick it up): %s", name, args, error)
