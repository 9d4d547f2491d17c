"""The per-target page budget on PostgreSQL: N pages, then one summary; every page held back is on
its incident's timeline; two deliveries claiming at once still send N."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from incidents.noise import PageBudget
from store.tables import pages
from tests.fake_pagerduty import FakePagerDuty
from tests.integration.acting import open_incident
from tests.integration.noise_support import said, triggers, with_service
from tests.support import READ
from workers import paging
from workers.pagerduty import PagerDutyClient

pytestmark = pytest.mark.both_databases

BUDGET = PageBudget(3, timedelta(minutes=10))


@pytest.fixture
def catalog(catalog):
    return with_service(catalog, "production-api", page_budget=BUDGET)


@pytest.fixture
def fake():
    server = FakePagerDuty().start()
    yield server
    server.stop()


def deliver(engine, fake, settings, catalog, page_ids, *, at):
    client = PagerDutyClient(fake.url)
    return paging.deliver(
        engine, client, settings, page_ids, clock=lambda: at, backoff=lambda failures: 0.0, retries=0, catalog=catalog
    )


def pending_ids(engine) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(sa.select(pages.c.id).where(pages.c.status == "pending").order_by(pages.c.id)).scalars()
        )


def test_a_target_past_its_budget_gets_one_summary_and_every_held_page_is_on_its_timeline(
    client, engine, fake, settings, catalog
):
    ids = [open_incident(client, engine, dedup_key=f"disk-{i}").id for i in range(BUDGET.pages + 3)]
    ids_to_send, now = pending_ids(engine), datetime.now(UTC)
    barrier = threading.Barrier(2)

    def claim(half):
        barrier.wait()
        deliver(engine, fake, settings, catalog, half, at=now)

    threads = [threading.Thread(target=claim, args=(ids_to_send[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(fake.triggers()) == BUDGET.pages
    statuses = [p.status for p in triggers(engine) if not p.step.startswith("budget:")]
    assert sorted(statuses) == ["sent"] * BUDGET.pages + ["suppressed"] * 3
    held = [i for i in ids if said(engine, i, "not_paged")]
    assert len(held) == 3
    for incident_id in held:
        assert said(engine, incident_id, "not_paged") == [
            "not paged: oncall-sre's page budget (3 in 10 min) is spent; summarised"
        ]
    deliver(engine, fake, settings, catalog, [], at=now + settings.timings.budget_summary_after)
    (summary,) = fake.triggers()[BUDGET.pages :]
    assert summary["payload"]["summary"] == (
        "3 more incidents on production-api: oncall-sre's page budget (3 in 10 min) is spent"
    )
    assert summary["links"][0]["href"].endswith("/incidents")
    assert len(fake.triggers()) == BUDGET.pages + 1


def test_resolving_a_held_incident_sends_nothing_to_pagerduty(client, engine, fake, settings, catalog):
    ids = [open_incident(client, engine, dedup_key=f"disk-{i}").id for i in range(BUDGET.pages + 1)]
    deliver(engine, fake, settings, catalog, pending_ids(engine), at=datetime.now(UTC))
    (held,) = [i for i in ids if said(engine, i, "not_paged")]
    with engine.connect() as conn:
        number = conn.execute(sa.text("SELECT number FROM incidents WHERE id = :i"), {"i": held}).scalar_one()
    assert client.post(f"/api/incidents/INC-{number}/resolve", headers=READ).status_code == 200
    with engine.connect() as conn:
        follow_ups = conn.execute(
            sa.select(pages.c.action).where(pages.c.incident_id == held, pages.c.action != "trigger")
        ).all()
    assert follow_ups == []
    page_list = client.get(f"/api/incidents/INC-{number}", headers=READ).get_json()["pages"]
    assert [p["outcome"] for p in page_list if p["outcome"].startswith("not paged")] == [
        "not paged: oncall-sre's page budget (3 in 10 min) is spent; summarised"
    ]
