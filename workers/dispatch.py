"""Handing committed decisions to the workers: delivery tasks and wake-up hints.

Called only after the deciding transaction committed. A failure to enqueue loses nothing: the
outbox row and the due time are in the database, and the periodic tick picks them up.
"""

import logging
import math
import threading
from datetime import UTC, datetime

from kombu.exceptions import OperationalError

from incidents.timings import DEFAULT
from settings.env import VISIBILITY_TIMEOUT

log = logging.getLogger(__name__)
# A countdown past the broker's visibility timeout would be delivered twice; later wake-ups are
# left to the tick, which claims them from the database when they fall due.
MAX_COUNTDOWN = VISIBILITY_TIMEOUT - 600
# Pages committed by one process within one step of this grid share one delivery task, sent for the
# step's end: it drains every page ready by then, so a burst of decisions costs a few messages, not one each.
# The task's ETA is this host's clock; a worker whose clock runs ahead could start it before a page
# committed in the step's last moments, which then waits for the tick's sweep of lost pages.
PAGE_GRID = 0.1
# Wake-ups falling due within one step of this grid share one hint, sent for the step's end: a
# hint claims every escalation due by then, so a burst of incidents costs a few hints, not one each.
WAKE_GRID = 0.25
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Dispatcher:
    """Enqueues tasks by name, so the web process needs no task code.

    Timing reads `clock` when called (after the commit), never the deciding transaction's time:
    a delivery task must not be due before the pages it is for were committed.
    """

    def __init__(self, celery_app, *, clock=utcnow, batch: int = DEFAULT.pages_per_batch):
        self.celery = celery_app
        self.clock = clock
        self.batch = batch  # pages a delivery task names (it drains the rest)
        self._hinted: set[tuple[str, int]] = set()  # (task, grid step) this process already sent a task for
        self._lock = threading.Lock()

    def __call__(self, decisions) -> None:
        self.pages([page_id for decision in decisions for page_id in decision.page_ids])
        self.chat([message_id for decision in decisions for message_id in decision.chat_ids])
        for decision in decisions:
            if decision.wake_at is not None:
                self.wake(decision.incident_id, decision.token, decision.wake_at)

    def pages(self, page_ids: list[int]) -> None:
        """A delivery task for these (committed) pages: see `ready_pages`. It names the first of
        them, so that a delivery coming after they were sent can tell (`skipped`)."""
        if page_ids:
            self.ready_pages(page_ids[: self.batch])

    def ready_pages(self, page_ids: list[int] = ()) -> None:
        """A delivery task for the end of this grid step, unless this process already sent it: it
        drains every page ready when it runs, so every page committed by now."""
        now = self.clock()
        self._once_per_step("tasks.page_targets", (list(page_ids),), now, now, PAGE_GRID)

    def chat(self, message_ids: list[int]) -> None:
        """A chat delivery task for these (committed) messages, shared like page deliveries: it sends
        every message ready when it runs."""
        if message_ids:
            now = self.clock()
            self._once_per_step("tasks.send_chat", (list(message_ids[: self.batch]),), now, now, PAGE_GRID)

    def wake(self, incident_id: int, token: int, wake_at: datetime) -> None:
        self._once_per_step("tasks.escalate", (incident_id, token), wake_at, self.clock(), WAKE_GRID)

    def _once_per_step(self, name: str, args: tuple, at: datetime, now: datetime, grid: float) -> None:
        step = math.ceil(at.timestamp() / grid)
        countdown = max(0.0, step * grid - now.timestamp())
        if countdown <= MAX_COUNTDOWN and self._first(name, step):
            self._send(name, args, countdown=countdown)

    def _first(self, name: str, step: int) -> bool:
        with self._lock:
            if (name, step) in self._hinted:
                return False
            if len(self._hinted) >= 10_000:  # forgetting only costs a redundant task
                self._hinted.clear()
            self._hinted.add((name, step))
            return True

    def _send(self, name: str, args: tuple, **options) -> None:
        try:
            self.celery.send_task(name, args, retry=True, retry_policy=PUBLISH_RETRY, **options)
        except OperationalError as error:
            log.error("could not enqueue %s%s (the tick will pick it up): %s", name, args, error)
