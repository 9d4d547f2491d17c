"""What one intake request costs, by kind: statements, web CPU and wall time, in-process.

Posts the bench's Alertmanager bodies (bench/wrk/alertmanager.lua's: one group's 10 alerts out of
500, one body in ten resolving its group) through Flask's test client to the app on a scratch
PostgreSQL database, one at a time, and prints per kind of request (joined an open incident, opened
one, resolved one, resolved nothing) how many statements it ran, its CPU time in this process and
its wall time. Delivery is not dispatched (no worker): this is the web's share. `--profile KIND`
adds a cProfile of that kind's requests.
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
    from ingest.app import create_app

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
        client = create_app(settings, engine=engine).test_client()
        rng = random.Random(args.seed)
        open_groups: set[int] = set()
        costs = defaultdict(list)  # kind: [(statements, cpu ms, wall ms)]
        texts = {}
        profiles = {kind: cProfile.Profile() for kind in args.profile}
        for n in range(args.warm_up + args.requests):
            group = rng.randrange(GROUPS)
            resolved = rng.random() < RESOLVED_SHARE
            if resolved:
                kind = "resolves" if group in open_groups else "resolves nothing"
                open_groups.discard(group)
            else:
                kind = "joins" if group in open_groups else "opens"
                open_groups.add(group)
            data = body(group, "resolved" if resolved else "firing")
            statements.clear()
            profile = profiles.get(kind) if n >= args.warm_up else None
            if profile:
                profile.enable()
            cpu, wall = time.thread_time(), time.perf_counter()
            response = client.post("/webhooks/alertmanager", data=data, headers=HEADERS)
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            if profile:
                profile.disable()
            assert response.status_code == 200, response.get_data(as_text=True)
            if n >= args.warm_up:
                costs[kind].append((len(statements), cpu * 1000, wall * 1000))
                texts.setdefault(kind, list(statements))
        total = sum(len(c) for c in costs.values())
        print(f"{'kind':<17} {'share':>6} {'statements':>10} {'cpu ms':>7} {'wall ms':>8}")
        for kind in KINDS:
            rows = costs.get(kind, [])
            if rows:
                print(
                    f"{kind:<17} {len(rows) / total:6.1%} {statistics.mean(r[0] for r in rows):10.1f} "
                    f"{statistics.median(r[1] for r in rows):7.2f} {statistics.median(r[2] for r in rows):8.2f}"
                )
        cpu = sum(r[1] for rows in costs.values() for r in rows) / total
        print(f"mean web CPU per request: {cpu:.2f} ms (medians above)")
        if args.statements:
            for kind, sql in texts.items():
                print(f"--- {kind}")
                for text in sql:
                    print("   ", " ".join(text.split())[:160])
        for kind, profile in profiles.items():
            if not costs.get(kind):
                continue  # no request of that kind in this run: nothing profiled
            print(f"--- profile of {kind}, by own time, then by cumulative time")
            pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
        engine.dispose()


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.intake_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests measured")
    parser.add_argument("--warm-up", type=int, default=300, help="requests first, not measured")
    parser.add_argument("--seed", type=int, default=0)
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
