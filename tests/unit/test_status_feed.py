"""The status page's Atom feed entries (incidents.status_document.feed_entries): every public event the page shows."""

from datetime import UTC, datetime, timedelta

from incidents.severity import Severity
from incidents.status_document import build, feed_entries
from incidents.status_page import Component, Facts, IncidentFacts, PageSettings, PublicUpdate

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PAYMENTS = (Component("payment-service", "Payments"),)


def entries(*incidents: IncidentFacts) -> list[dict]:
    document = build(PageSettings(), PAYMENTS, Facts(incidents=incidents), NOW, "https://status.example.com/status")
    return feed_entries(document)


def incident(number=1, *, resolved=None, updates=()) -> IncidentFacts:
    """A SEV2 on Payments opened an hour ago, published by a person."""
    opened = NOW - timedelta(hours=1)
    return IncidentFacts(number, ("payment-service",), Severity.SEV2, opened, resolved, "Investigating", updates, True)


def test_an_incident_without_updates_still_has_its_opening_in_the_feed():
    [opened] = entries(incident())
    assert opened["title"] == "New incident: Partial outage of Payments"
    assert opened["body"] == "Affects Payments." and opened["anchor"] == "INC-1"
    assert opened["at"] == "2026-12-01T11:00:00+00:00"


def test_a_resolution_is_an_entry_newest_first_after_the_public_updates():
    said = PublicUpdate(7, "Identified", "Card payments fail.", NOW - timedelta(minutes=30))
    found = entries(incident(resolved=NOW - timedelta(minutes=5), updates=(said,)))
    assert [e["title"] for e in found] == [
        "Partial outage of Payments: Resolved",
        "Partial outage of Payments: Identified",
        "New incident: Partial outage of Payments",
    ]
    assert [e["id"] for e in found] == ["INC-1-resolved", "INC-1-7", "INC-1-opened"]


def test_a_public_resolved_update_tells_the_resolution_once():
    said = PublicUpdate(3, "Resolved", "All fixed.", NOW - timedelta(minutes=5))
    found = entries(incident(resolved=NOW - timedelta(minutes=5), updates=(said,)))
    assert [e["title"] for e in found] == [
        "Partial outage of Payments: Resolved",
        "New incident: Partial outage of Payments",
    ]
    assert found[0]["body"] == "All fixed."
