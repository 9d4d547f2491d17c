"""The report over 100,000 incidents opened across a year, on a scratch PostgreSQL database.

Rows are generated with set-based SQL (generate_series): five services, four severities, random phase
times, one incident in fifty still open, a checklist action on one in three. It prints how long the
whole year's report, a month's, one service's year, and the /metrics histograms take (target < 1 s).
`.venv/bin/python -m bench.reports --incidents 100000`.
"""

import argparse
import os
import statistics
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from incidents.reports import Scope
from settings.catalog import load_catalog
from store import reports
from store.db import create_engine
from store.histograms import milestone_buckets
from tests.support import ROOT, scratch_database

START = datetime(2025, 11, 1, tzinfo=UTC)
SERVICES = "ARRAY['payment-service', 'checkout', 'search', 'accounts', 'db-primary']"

GENERATE = f"""
CREATE TEMP TABLE gen AS
SELECT g, o AS opened, o - random() * interval '10 minutes' AS started,
       o + random() * interval '40 minutes' AS acked,
       o + interval '40 minutes' + random() * interval '40 minutes' AS mitigated,
       o + interval '80 minutes' + random() * interval '5 hours' AS resolved,
       o + interval '7 hours' + random() * interval '9 days' AS done,
       g % 50 = 0 AS still_open
FROM generate_series(1, :n) g, LATERAL (SELECT :start + (g * interval '365 days') / :n AS o) t;
INSERT INTO incidents (number, service, group_key, group_hash, status, severity, title, source, opened_at,
                       acknowledged_at, resolved_at, last_alert_at, alert_events, open_token, policy)
SELECT g, ({SERVICES})[1 + g % 5], 'bench-' || g, md5(g::text),
       CASE WHEN still_open THEN 'acknowledged' ELSE 'resolved' END, 1 + (g / 5) % 4, 'bench', 'alertmanager',
       opened, acked, CASE WHEN still_open THEN NULL ELSE resolved END, opened, 1, g, '{{}}'
FROM gen;
INSERT INTO incident_lifecycle (incident_id, phase, phase_times, problem_started_at, detected_at, status_word,
                                affected, roles, pinned, breaches, entered_detection, entered_response,
                                entered_recovery, entered_postmortem, entered_done)
SELECT i.id, CASE WHEN still_open THEN 'response' ELSE 'done' END,
       CASE WHEN still_open THEN jsonb_build_array(jsonb_build_array('detection', started),
                                                   jsonb_build_array('response', acked))
       ELSE jsonb_build_array(jsonb_build_array('detection', started), jsonb_build_array('response', acked),
                              jsonb_build_array('recovery', mitigated), jsonb_build_array('postmortem', resolved),
                              jsonb_build_array('done', done)) END,
       started, opened, 'Investigating', '[]', '{{}}', '[]', '[]', started, acked,
       CASE WHEN NOT still_open THEN mitigated END, CASE WHEN NOT still_open THEN resolved END,
       CASE WHEN NOT still_open THEN done END
FROM gen JOIN incidents i ON i.number = g;
INSERT INTO incident_actions (incident_id, text, done, done_at, created_by, created_at)
SELECT i.id, 'Roll back', true, acked + interval '5 minutes', 'bench', acked
FROM gen JOIN incidents i ON i.number = g WHERE g % 3 = 0;
ANALYZE;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    catalog = load_catalog(ROOT / "config")
    with scratch_database(f"incidents_bench_reports_{os.getpid()}") as url:
        engine = create_engine(url)
        began = time.perf_counter()
        with engine.begin() as conn:
            for statement in filter(str.strip, GENERATE.split(";\n")):
                conn.execute(sa.text(statement), {"n": args.incidents, "start": START})
        print(f"generated {args.incidents} incidents in {time.perf_counter() - began:.1f} s")
        now = START + timedelta(days=366)
        cases = {
            "year, all services": Scope(START, now),
            "last 30 days": Scope(now - timedelta(days=30), now),
            "year, one service": Scope(START, now, services=("checkout",)),
        }
        for name, scope in cases.items():
            _time(name, args.repeat, lambda s=scope: _report(engine, s, catalog, now))
        _time("/metrics histograms", args.repeat, lambda: _histograms(engine))
        engine.dispose()


def _report(engine, scope, catalog, now):
    with engine.connect() as conn:
        return reports.build(conn, scope, catalog, now)


def _histograms(engine):
    with engine.connect() as conn:
        return milestone_buckets(conn)


def _time(name: str, repeat: int, run) -> None:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - began)
    incidents = getattr(getattr(result, "total", None), "incidents", "")
    print(f"{name:<22} median {statistics.median(times) * 1000:7.0f} ms  max {max(times) * 1000:7.0f} ms  {incidents}")


if __name__ == "__main__":
    main()
