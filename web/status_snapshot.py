"""The status page's snapshot: built from the database at most every `max_age` seconds per process,
served from memory, kept on disk so that a restarted process has one before the database answers.

The status page must answer while the service behind it (and its database) is on fire: a request
never waits for the database when any snapshot exists. A stale snapshot is served as is while one
background thread builds the next; the lock lets one refresher run at a time, so 200 readers never
become 200 queries. A failed refresh is logged and counted, and the page shows its snapshot's age.
"""

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prometheus_client import Counter

log = logging.getLogger(__name__)
REFRESHES = Counter("incidents_status_page_refreshes_total", "Status page snapshot refreshes by outcome", ["outcome"])


class Unavailable(Exception):
    """No snapshot at all yet (a first start with the database down): 503."""


@dataclass(frozen=True)
class Snapshot:
    """One built document, its JSON text, and when it was built."""

    document: dict
    json: bytes
    built_at: datetime

    @classmethod
    def of(cls, document: dict, built_at: datetime) -> "Snapshot":
        return cls(document, json.dumps(document, separators=(",", ":")).encode(), built_at)


class SnapshotCache:
    """The last good snapshot of this process; `build(now)` makes a document from the database."""

    def __init__(self, build: Callable[[datetime], dict], *, path: Path, max_age: float, clock=None):
        self.build = build
        self.path = path
        self.max_age = timedelta(seconds=max_age)
        self.clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()  # held by the one refresher
        self._snapshot = self._from_disk()
        self._due = self.clock()  # the next refresh; a snapshot from disk is refreshed at once
        self.rendered = None  # (snapshot, {name: text}): the page and feed as rendered for that snapshot

    def current(self) -> Snapshot:
        """The snapshot to serve now; starts a background refresh when it is due."""
        snapshot = self._snapshot
        if snapshot is None:
            return self._first()
        if self.clock() >= self._due and self._lock.acquire(blocking=False):
            threading.Thread(target=self._refresh_and_release, name="status-snapshot", daemon=True).start()
        return snapshot

    def refresh(self) -> bool:
        """Build a snapshot from the database now; False (logged, counted) if that failed."""
        now = self.clock()
        self._due = now + self.max_age
        try:
            snapshot = Snapshot.of(self.build(now), now)
        except Exception:  # any failure of the database or the build: keep serving the last good one
            REFRESHES.labels("failed").inc()
            kept = self._snapshot.built_at.isoformat() if self._snapshot else "none"
            log.exception("status page snapshot refresh failed; serving the snapshot built at %s", kept)
            return False
        self._snapshot = snapshot
        REFRESHES.labels("built").inc()
        self._to_disk(snapshot)
        return True

    def expire(self) -> None:
        """Refresh at the next request (after a change made through this process)."""
        self._due = self.clock()

    def _first(self) -> Snapshot:
        with self._lock:
            if self._snapshot is None and not self.refresh():
                raise Unavailable("the status page has no snapshot yet and the database does not answer")
            return self._snapshot

    def _refresh_and_release(self) -> None:
        try:
            self.refresh()
        finally:
            self._lock.release()

    def _to_disk(self, snapshot: Snapshot) -> None:
        """Written to a temporary file and renamed, so a reader never sees half of one."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            text = json.dumps({"built_at": snapshot.built_at.isoformat(), "document": snapshot.document})
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:
            REFRESHES.labels("not_saved").inc()
            log.exception("status page snapshot not saved to %s", self.path)

    def _from_disk(self) -> Snapshot | None:
        if not self.path.exists():
            return None
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            return Snapshot.of(saved["document"], datetime.fromisoformat(saved["built_at"]))
        except (OSError, ValueError, KeyError):
            log.exception("status page snapshot at %s is unreadable; building a new one", self.path)
            return None
