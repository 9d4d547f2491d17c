"""Queries that run for every page or every tick must not grow with the history the database keeps.

bench.intake found both under load: each claimed page walked the alerts' primary key from the oldest
alert of all (12 ms at 14,000 alerts), and beat's sweep of open incidents paid 500 ms of JIT
compilation every tick for a 5 ms query.
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from incidents.paging import PageState
from store import pages as pages_store
from store.tables import pages

INCIDENTS = 300

SEED = (
    f"""
INSERT INTO incidents (number, service, group_key, group_hash, status, severity, title, source, opened_at,
                       last_alert_at, alert_events, open_token, policy)
SELECT g, 'checkout', 'plan-' || g, md5(g::text), 'resolved', 3, 'plan', 'alertmanager', now(), now(), 10, g, '{{}}'
FROM generate_series(1, {INCIDENTS}) g
""",
    """
INSERT INTO alerts (incident_id, fingerprint, status, severity, summary, labels, annotations, generator_url,
                    first_seen, last_seen, received_count, insert_token, change_token)
SELECT i.id, 'f' || a, 'resolved', 3, 'plan', '{"alertname": "Plan"}', '{}', '', now(), now(), 1, 0, 0
FROM incidents i, generate_series(1, 10) a ORDER BY i.id, a
""",
    "ANALYZE incidents",
    "ANALYZE alerts",
)


def explained(conn, run) -> dict:
    """The plan PostgreSQL runs for the last statement `run(conn)` executes, with actual row counts
    (run again under EXPLAIN ANALYZE, in the same transaction)."""
    executed = []

    def capture(conn_, cursor, statement, parameters, context, executemany):
        executed.append((statement, parameters))

    sa.event.listen(conn, "before_cursor_execute", capture)
    try:
        run(conn)
    finally:
        sa.event.remove(conn, "before_cursor_execute", capture)
    statement, parameters = executed[-1]
    plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).scalar()
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


def test_a_page_reads_its_incidents_first_alert_without_reading_the_others(engine):
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for statement in SEED:
            conn.exec_driver_sql(statement)
        newest = conn.execute(sa.text("SELECT max(id) FROM incidents")).scalar_one()
        page = {
            "incident_id": newest,
            "action": "trigger",
            "step": "0.0",
            "target_kind": "user",
            "target_name": "oncall-sre",
            "routing_key": "k" * 32,
            "dedup_key": f"incident-{newest}",
            "reason": "plan",
            "status": PageState.PENDING,
            "attempts": 0,
            "created_at": now,
            "due_at": now,
            "next_attempt_at": now,
        }
        page_id = conn.execute(pages.insert().values(page).returning(pages.c.id)).scalar_one()
    with engine.begin() as conn:
        plan = explained(conn, lambda c: pages_store.claim(c, [page_id], limit=50))
    alert_reads = [node for node in nodes(plan) if node.get("Relation Name") == "alerts"]
    assert alert_reads, "the claim no longer reads an alert: this test no longer tests it"
    skipped = sum(node.get("Rows Removed by Filter", 0) for node in alert_reads)
    read = sum(node.get("Actual Rows", 0) for node in alert_reads)
    # The newest incident's first alert: one row found, none of the other 2,990 read and thrown away.
    assert (read, skipped) == (1, 0), json.dumps(alert_reads, indent=1)


def test_postgresql_connections_compile_no_queries_just_in_time(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
