"""Handing committed decisions to the workers: delivery tasks now, a wake-up hint for later.

Called only after the deciding transaction committed. A failure to enqueue loses nothing: the
outbox row and the due time are in the database, and the periodic tick picks them up.
"""
import logging
import math
import threading
from datetime import datetime, timezone

from kombu.exceptions import OperationalError

from settings.env import VISIBILITY_TIMEOUT

log = logging.getLogger(__name__)
# A countdown past the broker's visibility timeout would be delivered twice; later wake-ups are
# left to the tick, which claims them from the database when they fall due.
MAX_COUNTDOWN = VISIBILITY_TIMEOUT - 600
# Pages per delivery task: bounds how long a batch keeps its rows locked and what a killed worker re-sends.
PAGES_PER_TASK = 50
# Wake-ups falling due within one step of this grid share one hint, sent for the step's end: a
# hint claims every escalation due by then, so a burst of incidents costs a few hints, not one each.
WAKE_GRID = 0.25
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


class Dispatcher:
    """Enqueues tasks by name, so the web process needs no task code."""

    def __init__(self, celery_app):
        self.celery = celery_app
        self._hinted: set[int] = set()  # grid steps this process already sent a hint for
        self._lock = threading.Lock()

    def __call__(self, decisions, *, now: datetime | None = None) -> None:
        now = now or datetime.now(timezone.utc)
        self.pages([page_id for decision in decisions for page_id in decision.page_ids])
        for decision in decisions:
            if decision.wake_at is not None:
                self.wake(decision.incident_id, decision.token, decision.wake_at, now)

    def pages(self, page_ids: list[int]) -> None:
        """One delivery task per batch of pages, however many decisions they come from."""
        for start in range(0, len(page_ids), PAGES_PER_TASK):
            self._send("tasks.page_targets", (page_ids[start:start + PAGES_PER_TASK],))

    def wake(self, incident_id: int, token: int, wake_at: datetime, now: datetime) -> None:
        step = math.ceil(wake_at.timestamp() / WAKE_GRID)
        countdown = max(0.0, step * WAKE_GRID - now.timestamp())
        if countdown <= MAX_COUNTDOWN and self._first_hint(step):
            self._send("tasks.escalate", (incident_id, token), countdown=countdown)

    def _first_hint(self, step: int) -> bool:
        with self._lock:
            if step in self._hinted:
                return False
            if len(self._hinted) >= 10_000:  # forgetting only costs a redundant hint
                self._hinted.clear()
            self._hinted.add(step)
            return True

    def _send(self, name: str, args: tuple, **options) -> None:
        try:
            self.celery.send_task(name, args, retry=True, retry_policy=PUBLISH_RETRY, **options)
        except OperationalError as error:
            log.error("could not enqueue %s%s (the tick will pick it up): %s", name, args, error)
