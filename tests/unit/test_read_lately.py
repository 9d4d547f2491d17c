"""The consumer's memory of requests read lately (workers.inbox.ReadLately): a body repeated within the
batch or across batches is parsed once, for the catalog it was read with; PagerDuty events every time."""

import json
from datetime import UTC, datetime

import pytest

from store.inbox import Stored
from workers import inbox as consumer


def stored(row_id: int, body: dict, source: str = "alertmanager") -> Stored:
    return Stored(row_id, source, json.dumps(body).encode(), datetime(2026, 12, 7, tzinfo=UTC), None)


def webhook(name: str) -> dict:
    alert = {"status": "firing", "labels": {"alertname": name, "severity": "critical"}, "fingerprint": name}
    return {"version": "4", "groupKey": name, "status": "firing", "alerts": [alert]}


@pytest.fixture
def reads(monkeypatch):
    """The rows the source parsers were asked to read, in order."""
    asked = []
    real = consumer.read

    def counted(row, catalog):
        asked.append(row.id)
        return real(row, catalog)

    monkeypatch.setattr(consumer, "read", counted)
    return asked


def test_a_repeated_body_is_read_once_and_gives_the_same_alerts(reads, catalog):
    lately = consumer.ReadLately()
    first = lately.read(stored(1, webhook("Disk")), catalog)
    again = lately.read(stored(2, webhook("Disk")), catalog)
    other = lately.read(stored(3, webhook("Cpu")), catalog)
    assert reads == [1, 3]
    assert again == first and other != first
    assert [alert.fingerprint for batch in again.batches for alert in batch.alerts] == ["Disk"]


def test_a_body_read_with_another_catalog_is_read_again(reads, catalog, config_dir):
    from settings.catalog import load_catalog

    lately = consumer.ReadLately()
    lately.read(stored(1, webhook("Disk")), catalog)
    lately.read(stored(2, webhook("Disk")), load_catalog(config_dir))  # a reload: a new catalog
    assert reads == [1, 2]


def test_pagerduty_events_and_large_bodies_are_read_every_time(reads, catalog):
    event = {
        "routing_key": "exampleintegrationkey00000000001",
        "event_action": "trigger",
        "payload": {"summary": "Disk full", "source": "db-1", "severity": "critical"},
    }
    lately = consumer.ReadLately(largest=200)
    big = webhook("Disk" + "x" * 300)
    for row_id in (1, 2):
        lately.read(stored(row_id, event, source="pagerduty"), catalog)
    for row_id in (3, 4):
        lately.read(stored(row_id, big), catalog)
    assert reads == [1, 2, 3, 4]


def test_only_the_latest_bodies_are_kept(reads, catalog):
    lately = consumer.ReadLately(size=2)
    for row_id, name in enumerate(["A", "B", "C", "A", "C"], start=1):
        lately.read(stored(row_id, webhook(name)), catalog)
    assert reads == [1, 2, 3, 4]  # A was pushed out by C, read again; C was kept
    assert len(lately.kept) == 2
