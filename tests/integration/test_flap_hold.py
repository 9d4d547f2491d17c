"""The flap hold on PostgreSQL: an incident resolved within it is recorded, counted and never paged;
one still firing after it is paged once."""

from datetime import timedelta

import pytest

from tests.integration.acting import KEY, open_incident
from tests.integration.noise_support import opened_at, said, triggers, with_service
from workers import escalating

pytestmark = pytest.mark.both_databases


@pytest.fixture
def catalog(catalog):
    return with_service(catalog, "production-api", flap_hold=timedelta(minutes=2))


def resolve(client, dedup_key="disk-full"):
    event = {"routing_key": KEY, "event_action": "resolve", "dedup_key": dedup_key}
    assert client.post("/v2/enqueue", json=event).status_code == 202


def test_an_incident_resolved_within_the_flap_hold_is_recorded_counted_and_never_paged(client, engine, catalog):
    incident = open_incident(client, engine)
    (held,) = said(engine, incident.id, "not_paged")
    assert held.startswith("not paged: flap hold: paged only if still firing at ")
    resolve(client)
    escalating.claim_due(engine, catalog, now=opened_at(engine, incident.id) + timedelta(minutes=3), limit=50)
    assert triggers(engine) == []
    assert said(engine, incident.id, "flapped") == ["Resolved within the flap hold: recorded, nobody paged"]
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'incidents_flaps_total{service="production-api"} 1.0' in metrics


def test_an_incident_still_firing_after_the_flap_hold_is_paged_once(client, engine, catalog):
    incident = open_incident(client, engine)
    start = opened_at(engine, incident.id)
    assert escalating.claim_due(engine, catalog, now=start + timedelta(seconds=119), limit=50) == []
    for _ in range(2):
        escalating.claim_due(engine, catalog, now=start + timedelta(seconds=121), limit=50)
    assert [(p.step, p.target_name) for p in triggers(engine)] == [("0.0", "oncall-sre")]
    assert said(engine, incident.id, "paged") == ["Paging level 1 (user oncall-sre): still firing after the flap hold"]
    resolve(client)
    assert said(engine, incident.id, "flapped") == []
    assert "incidents_flaps_total{" not in client.get("/metrics").get_data(as_text=True)
