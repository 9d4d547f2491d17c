"""The incident page's "open follow-ups from earlier post-mortems" query (store.follow_ups.earlier) on a scratch
PostgreSQL database: 100,000 incidents of five services with three alerts each (twenty alert names), a follow-up on
one in five, those of one incident in `--open-every` (200: 500 follow-ups) still open. Prints p50/p99 of the
query for incidents across the range. `.venv/bin/python -m bench.earlier_follow_ups --incidents 100000`.
"""

import argparse
import os
import statistics
import time
from datetime import UTC, datetime

import sqlalchemy as sa

from store import follow_ups
from store.db import create_engine
from tests.support import scratch_database

SERVICES = "ARRAY['payment-service', 'checkout', 'search', 'accounts', 'db-primary']"
GENERATE = f"""
INSERT INTO incidents (number, service, group_key, group_hash, status, severity, title, source, opened_at,
                       last_alert_at, alert_events, open_token, policy)
SELECT g, ({SERVICES})[1 + g % 5], 'bench-' || g, md5(g::text), 'resolved', 3, 'bench', 'alertmanager',
       now() - (:n - g) * interval '5 minutes', now(), 1, g, '{{}}'
FROM generate_series(1, :n) g;
INSERT INTO alerts (incident_id, fingerprint, status, severity, summary, labels, annotations, generator_url,
                    first_seen, last_seen, received_count, insert_token, change_token)
SELECT i.id, md5(i.id::text || k), 'resolved', 3, 'bench',
       jsonb_build_object('alertname', 'Alert' || ((i.id + k) % 20)), '{{}}', '', now(), now(), 1, 0, 0
FROM incidents i, generate_series(1, 3) k;
INSERT INTO follow_ups (incident_id, text, owner_kind, owner_name, due_on, state, source, created_by, created_at)
SELECT i.id, 'Fix ' || i.id, 'user', 'alice', current_date + (i.id % 60 - 30)::int,
       CASE WHEN i.id % :open_every = 0 THEN 'open' ELSE 'done' END, 'postmortem', 'bench', now()
FROM incidents i WHERE i.id % 5 = 0;
ANALYZE;
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--open-every", type=int, default=200)
    args = parser.parse_args()
    with scratch_database(f"incidents_bench_earlier_{os.getpid()}") as url:
        engine = create_engine(url)
        with engine.begin() as conn:
            for statement in GENERATE.split(";\n"):
                if statement.strip():
                    conn.execute(sa.text(statement), {"n": args.incidents, "open_every": args.open_every})
        today = datetime.now(UTC).date()
        times, found = [], []
        with engine.connect() as conn:
            for run in range(args.runs):
                incident_id = 1 + (run * 7919) % args.incidents
                start = time.perf_counter()
                found.append(len(follow_ups.earlier(conn, incident_id, today=today)))
                times.append(time.perf_counter() - start)
        times.sort()
        p50, p99 = statistics.median(times), times[int(len(times) * 0.99) - 1]
        with engine.connect() as conn:
            opened = conn.execute(sa.text("SELECT count(*) FROM follow_ups WHERE state = 'open'")).scalar_one()
        print(
            f"{args.incidents} incidents, {opened} open follow-ups, {args.runs} runs: "
            f"p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, "
            f"{statistics.mean(found):.0f} follow-ups shown on average (at most 50)"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
