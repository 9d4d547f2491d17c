"""Alerts posted straight to the stack (Alertmanager's webhook shape), and what became of them."""

import threading

import requests
import sqlalchemy as sa

from tests.e2e.conftest import WEBHOOK_TOKEN

HEADERS = {"Authorization": f"Bearer {WEBHOOK_TOKEN}"}


def alert_body(group: str) -> dict:
    """A one-alert firing group: a new `group` opens a new incident."""
    alert = {
        "status": "firing",
        "labels": {"alertname": group, "severity": "warning"},
        "annotations": {"summary": f"{group} on db-1"},
        "startsAt": "2026-11-26T03:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": f"fp-{group}",
    }
    return {"version": "4", "groupKey": group, "status": "firing", "receiver": "incidents", "alerts": [alert]}


def post_group(base: str, group: str, session=requests) -> int:
    """The status the service answered, 0 when the connection broke (a killed worker)."""
    try:
        return session.post(
            f"{base}/webhooks/alertmanager", json=alert_body(group), headers=HEADERS, timeout=30
        ).status_code
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
        return 0


class Opener:
    """`threads` threads opening incident after incident (a new group each) until stopped; `answers`
    maps each group to the status it got."""

    def __init__(self, base: str, *, threads: int = 4, prefix: str = "Group"):
        self.base, self.prefix, self.answers = base, prefix, {}
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def __enter__(self) -> "Opener":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_):
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _run(self, index: int) -> None:
        session, n = requests.Session(), 0
        while not self._stop.is_set():
            group = f"{self.prefix}{index}x{n}"
            self.answers[group] = post_group(self.base, group, session)
            n += 1


def incident_rows(engine) -> list:
    query = sa.text("SELECT id, number, group_key, esc_level, next_wake_at FROM incidents ORDER BY id")
    with engine.connect() as conn:
        return conn.execute(query).all()


def pending_requests(engine) -> int:
    """Intake requests answered and not applied yet (the inbox's backlog)."""
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM raw_requests WHERE applied_at IS NULL")).scalar_one()


def trigger_pages(engine) -> list:
    """Trigger pages: (id, incident id, step, routing key, dedup key, status, due_at, sent_at, attempts), by
    due time, then id."""
    query = sa.text(
        "SELECT id, incident_id, step, routing_key, dedup_key, status, due_at, sent_at, attempts FROM pages "
        "WHERE action = 'trigger' ORDER BY due_at, id"
    )
    with engine.connect() as conn:
        return conn.execute(query).all()
