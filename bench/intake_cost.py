"""What one intake request costs, by kind: statements and CPU of the web's answer and of the inbox's
consumer applying it, in-process.

Posts the bench's Alertmanager bodies (bench/wrk/alertmanager.lua's: one group's 10 alerts out of
500, one body in ten resolving its group) through Flask's test client to the app on a scratch
PostgreSQL database. First one at a time, each applied by the consumer (workers/inbox.py) right after
its answer: per kind of request (joined an open incident, opened one, resolved one, resolved nothing)
the statements and CPU of the web's answer and of its application. Then the same load in batches
(`--batch`, as the consumer claims them under load): the consumer's CPU per request when repeats fold.
Delivery is not dispatched (no worker). `--profile KIND` adds a cProfile of that kind's application.
`python -m bench.intake_cost --help` lists the options.
"""

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from settings import env
from store.db import create_engine
from tests.support import REDIS_URL, ROOT, scratch_database

GROUPS, PER_GROUP, RESOLVED_SHARE = 50, 10, 0.1
HEADERS = {"Authorization": "Bearer example-token", "Content-Type": "application/json"}
KINDS = ("joins", "opens", "resolves", "resolves nothing")


def body(group: int, status: str) -> bytes:
    """bench/wrk/alertmanager.lua's body for `group` (its alerts started a minute ago)."""
    starts_at = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    alerts = [
        {
            "status": status,
            "labels": {"alertname": f"Bench{group}", "instance": f"host-{index}:9100", "severity": "warning"},
            "annotations": {"summary": f"Bench{group} on host-{index}:9100"},
            "startsAt": starts_at,
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph",
            "fingerprint": f"{group * PER_GROUP + index:016x}",
        }
        for index in range(PER_GROUP)
    ]
    return json.dumps(
        {
            "version": "4",
            "status": status,
            "receiver": "incidents",
            "truncatedAlerts": 0,
            "groupKey": f'{{}}:{{alertname="Bench{group}"}}',
            "groupLabels": {"alertname": f"Bench{group}"},
            "commonLabels": {"alertname": f"Bench{group}"},
            "commonAnnotations": {},
            "externalURL": "http://alertmanager:9093",
            "alerts": alerts,
        }
    ).encode()


def run(args) -> None:
    from server.app import create_app
    from settings.catalog import load_catalog
    from workers.inbox import drain

    with (
        tempfile.TemporaryDirectory(prefix="incidents-cost-") as tmp,
        scratch_database(f"incidents_cost_{os.getpid()}") as url,
    ):
        settings = env.load(
            {
                "DATABASE_URL": url,
                "CELERY_BROKER_URL": REDIS_URL,
                "INCIDENTS_CONFIG": str(ROOT / "config"),
                "INCIDENTS_VAR": str(Path(tmp) / "var"),
                "SECRET_KEY": "bench",
            }
        )
        engine = create_engine(url)
        statements = []
        sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        catalog = load_catalog(settings.config_dir)
        client = create_app(settings, catalog=catalog, engine=engine).test_client()
        rng = random.Random(args.seed)
        open_groups: set[int] = set()
        costs = defaultdict(list)  # kind: [(web statements, web cpu ms, applying statements, applying cpu ms)]
        texts = {}
        profiles = {kind: cProfile.Profile() for kind in args.profile}

        def next_body():
            group = rng.randrange(GROUPS)
            resolved = rng.random() < RESOLVED_SHARE
            if resolved:
                kind = "resolves" if group in open_groups else "resolves nothing"
                open_groups.discard(group)
            else:
                kind = "joins" if group in open_groups else "opens"
                open_groups.add(group)
            return kind, body(group, "resolved" if resolved else "firing")

        def post(data) -> None:
            response = client.post("/webhooks/alertmanager", data=data, headers=HEADERS)
            assert response.status_code == 200, response.get_data(as_text=True)

        for n in range(args.warm_up + args.requests):
            kind, data = next_body()
            statements.clear()
            cpu = time.thread_time()
            post(data)
            web_cpu, web_statements = time.thread_time() - cpu, len(statements)
            statements.clear()
            profile = profiles.get(kind) if n >= args.warm_up else None
            if profile:
                profile.enable()
            cpu = time.thread_time()
            drain(engine, catalog, None)
            applying_cpu = time.thread_time() - cpu
            if profile:
                profile.disable()
            if n >= args.warm_up:
                costs[kind].append((web_statements, web_cpu * 1000, len(statements), applying_cpu * 1000))
                texts.setdefault(kind, list(statements))
        total = sum(len(c) for c in costs.values())
        print("one request at a time, medians (statements are means):")
        print(f"{'kind':<17} {'share':>6} {'web stmts':>9} {'web cpu ms':>10} {'apply stmts':>11} {'apply cpu ms':>12}")
        for kind in KINDS:
            rows = costs.get(kind, [])
            if rows:
                print(
                    f"{kind:<17} {len(rows) / total:6.1%} {statistics.mean(r[0] for r in rows):9.1f} "
                    f"{statistics.median(r[1] for r in rows):10.2f} {statistics.mean(r[2] for r in rows):11.1f} "
                    f"{statistics.median(r[3] for r in rows):12.2f}"
                )
        web = sum(r[1] for rows in costs.values() for r in rows) / total
        applying = sum(r[3] for rows in costs.values() for r in rows) / total
        print(f"mean CPU per request: web {web:.2f} ms, applying {applying:.2f} ms")
        batched_cpu, batched = 0.0, 0
        while batched < args.requests:
            for _ in range(min(args.batch, args.requests - batched)):
                post(next_body()[1])
                batched += 1
            statements.clear()
            cpu = time.thread_time()
            drain(engine, catalog, None)
            batched_cpu += time.thread_time() - cpu
        print(
            f"in batches of {args.batch}: applying {batched_cpu * 1000 / batched:.2f} ms of CPU per request "
            f"(repeats folded; {args.requests} requests)"
        )
        if args.statements:
            for kind, sql in texts.items():
                print(f"--- {kind}")
                for text in sql:
                    print("   ", " ".join(text.split())[:160])
        for kind, profile in profiles.items():
            if not costs.get(kind):
                continue  # no request of that kind in this run: nothing profiled
            print(f"--- profile of applying {kind}, by own time, then by cumulative time")
            pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
        engine.dispose()


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.intake_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests measured")
    parser.add_argument("--warm-up", type=int, default=300, help="requests first, not measured")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=500, help="requests applied together in the batched part")
    parser.add_argument("--statements", action="store_true", help="print each kind's statements once")
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        choices=KINDS,
        help="cProfile this kind of request (its CPU and wall times then include the profiler's)",
    )
    parser.add_argument("--top", type=int, default=30, help="lines of each profile")
    return parser.parse_args(argv)


if __name__ == "__main__":
    run(parse_args())
