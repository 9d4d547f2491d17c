"""Helpers for the status page tests: incidents declared and updated through the API, the snapshot rebuilt."""

from datetime import UTC, datetime

import sqlalchemy as sa

from store.tables import incidents
from tests.integration.acting import act
from tests.support import READ


def declare(
    client, service="payment-service", severity="SEV2", title="db-1 disk full (internal title)", *, published=True
) -> int:
    """An incident declared through the API (and `published` on the status page by a person); its number."""
    answer = client.post(
        "/api/incidents", headers=READ, json={"title": title, "service": service, "severity": severity}
    )
    assert answer.status_code == 201, answer.get_json()
    number = answer.get_json()["number"]
    if published:
        publish(client, number)
    return number


def publish(client, number, choice="publish") -> dict:
    """`POST /api/incidents/INC-n/publish` (or `unpublish`); the incident as answered."""
    answer = client.post(f"/api/incidents/INC-{number}/{choice}", headers=READ)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def update(client, number, text, *, public, status="Investigating"):
    answer = act(client, number, "updates", status=status, text=text, public=public)
    assert answer.status_code == 201, answer.get_json()


def resolve(client, engine, number, at=None):
    """Resolved through the API; `at` moves its resolution time (the window's edges)."""
    assert act(client, number, "resolve").status_code == 200
    if at is not None:
        with engine.begin() as conn:
            conn.execute(incidents.update().where(incidents.c.number == number).values(resolved_at=at))


def fresh(app, client, now=None) -> dict:
    """The status document after a refresh at `now` (the snapshot cache's clock; default the real one)."""
    cache = app.extensions["status_page"]
    now = now or datetime.now(UTC)
    cache.clock = lambda: now
    assert cache.refresh()
    return client.get("/status.json").get_json()


def states(document) -> dict:
    return {c["id"]: c["status"] for c in document["components"]}


class QueryCount:
    """Counts the statements reading `table` on `engine` until stopped."""

    def __init__(self, engine, table: str):
        self.engine, self.table, self.statements = engine, table, []
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, *args):
        if f"FROM {self.table}" in statement:
            self.statements.append(statement)

    def stop(self):
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)
