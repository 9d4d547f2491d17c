"""PostgreSQL restarted while a real Alertmanager sends: 503 during the outage, every alert stored once after.

Alertmanager (group_interval 1 s) is fed a new alert every 0.1 s into six groups; the suite's own
PostgreSQL is stopped (`pg_ctl stop -m fast`: every session ends, as in a restart) for a few seconds
and started again. Alertmanager retries what was refused, so afterwards what it holds, and the
requests its /metrics count as delivered, must match what the database holds, one for one.
"""

import time

import pytest
import requests
import sqlalchemy as sa

from store.tables import alerts, incidents, raw_requests
from tests.e2e.conftest import WEBHOOK_TOKEN
from tests.e2e.outbox import LONG
from tests.e2e.test_real_alertmanager import require_alertmanager
from tests.faults.alertmanager import AlertFeed, held_fingerprints, metrics, start_alertmanager
from tests.faults.counting import alert_discrepancies, alertmanager_requests, steady
from tests.support import eventually

pytestmark = pytest.mark.faults
OUTAGE = 5  # seconds PostgreSQL is down


def stored(engine) -> tuple[list[str], int, int]:
    """(fingerprints of alert rows, raw requests from Alertmanager, incidents), read after the outage."""
    with engine.connect() as conn:
        fingerprints = list(conn.execute(sa.select(alerts.c.fingerprint)).scalars())
        raw = conn.execute(
            sa.select(sa.func.count()).where(raw_requests.c.user_agent.startswith("Alertmanager/"))
        ).scalar_one()
        opened = conn.execute(sa.select(sa.func.count()).select_from(incidents)).scalar_one()
    return fingerprints, raw, opened


def probe(base: str) -> int:
    """What the service answers to an Alertmanager request right now."""
    body = {"version": "4", "groupKey": "{}:probe", "status": "firing", "receiver": "incidents", "alerts": []}
    headers = {"Authorization": f"Bearer {WEBHOOK_TOKEN}"}
    return requests.post(f"{base}/webhooks/alertmanager", json=body, headers=headers, timeout=10).status_code


def test_postgresql_restarted_while_alertmanager_sends_loses_no_alert_and_stores_none_twice(
    fault_stack, own_postgres, tmp_path
):
    require_alertmanager()
    stack = fault_stack(level_timeouts=LONG)
    stack.start_web()
    stack.start_worker()
    stack.start_beat()
    am_process, am = start_alertmanager(stack.web, tmp_path)
    stack.processes["alertmanager"] = am_process

    with AlertFeed(am) as feed:
        eventually(lambda: len(stored(stack.engine)[0]) >= 10, timeout=30)
        own_postgres.stop()
        down = time.monotonic()
        try:
            assert probe(stack.web) == 503
            eventually(lambda: alertmanager_requests(metrics(am))[1] > 0, timeout=OUTAGE * 3)
            time.sleep(max(0.0, OUTAGE - (time.monotonic() - down)))
            assert requests.get(f"{stack.web}/readyz", timeout=10).status_code == 503
        finally:
            own_postgres.start()
        time.sleep(2)  # alerts keep coming after the restart
    sent, failed = steady(lambda: alertmanager_requests(metrics(am)))
    fingerprints, raw, opened = stored(stack.engine)
    held = held_fingerprints(am)

    print(
        f"\nAlertmanager: {feed.fired} alerts fired, {sent} webhook requests, {failed} failed "
        f"(PostgreSQL down {OUTAGE} s); stored {len(fingerprints)} alerts, {raw} raw requests, {opened} incidents"
    )
    assert failed > 0, "Alertmanager never saw the outage"
    assert alert_discrepancies(held=held, stored=fingerprints, delivered=sent - failed, raw=raw) == []
    assert len(held) == feed.fired
    assert opened == 6  # one incident per group, none opened twice
    # A web worker that has served nothing since the restart still holds connections the restart cut:
    # its first request finds out, answers 503 (the sender retries) and the pool reconnects. CI saw it.
    eventually(lambda: probe(stack.web) == 200, timeout=10)
