"""What the ticks did, as one INFO line a minute instead of three lines every two seconds."""

import logging
import threading
from datetime import datetime, timedelta

log = logging.getLogger("incidents.tick")
COUNTS = ("escalations woken", "pages re-queued", "requests applied from the inbox")


class TickSummary:
    """Adds up the counts of each tick and logs their sums once per `every`."""

    def __init__(self, every: timedelta = timedelta(minutes=1)):
        self.every = every
        self._lock = threading.Lock()
        self._start: datetime | None = None
        self._ticks = 0
        self._sums = dict.fromkeys(COUNTS, 0)

    def add(self, now: datetime, counts: dict[str, int]) -> dict[str, int] | None:
        """Count one tick; returns the sums when they were logged (a minute passed), else None."""
        with self._lock:
            self._start = self._start or now
            self._ticks += 1
            for name in COUNTS:
                self._sums[name] += counts.get(name, 0)
            if now - self._start < self.every:
                return None
            sums, ticks, since = dict(self._sums), self._ticks, self._start
            self._start, self._ticks, self._sums = now, 0, dict.fromkeys(COUNTS, 0)
        seconds = (now - since).total_seconds()
        log.info("%d ticks in %.0fs: %s", ticks, seconds, ", ".join(f"{n} {name}" for name, n in sums.items()))
        return sums
