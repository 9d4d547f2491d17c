"""The status page under wrk -c200: latency of /status, /status.json and /status.atom served from the
snapshot, with the database up (refreshing every second), then with it unreachable.

Two loads per path: 200 readers (each connection loads the page at once, then again after a pause of
0.5-1.5 s each time: about 200 requests/s from people and dashboards, bench/wrk/readers.lua),
and saturation (200 connections with no pause: the most the processes serve; latency there is
queueing, 200 requests in flight divided by the rate).

"Unreachable" never stops the machine's PostgreSQL (others share it): a second web process starts on
the first one's var folder (so it finds the snapshot on disk) with DATABASE_URL at a closed port, and
fails its refresh every second while it serves. Prints figures; asserts nothing.
`python -m bench.status_page --help` lists the options.
"""

import argparse
import json
import os
import subprocess
import tempfile
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from bench.intake import Result
from settings import env
from tests.support import READ, REDIS_URL, ROOT, free_port, scratch_database, start_web

PATHS = ("/status", "/status.json", "/status.atom")
TARGET_P99_MS = 20


def seed(base: str, open_incidents: int, updates: int) -> None:
    """Open incidents on the public services with public and private updates, and a maintenance."""
    for n in range(open_incidents):
        service, severity = ("payment-service", "SEV2") if n % 2 else ("production-api", "SEV3")
        body = {"title": f"bench incident {n}", "service": service, "severity": severity}
        number = requests.post(f"{base}/api/incidents", headers=READ, json=body, timeout=30).json()["number"]
        for u in range(updates):
            update = {"status": "Investigating", "text": f"Update {u} on incident {n}.", "public": u % 2 == 0}
            requests.post(f"{base}/api/incidents/INC-{number}/updates", headers=READ, json=update, timeout=30)
    start = datetime.now(UTC) + timedelta(days=1)
    maintenance = {"title": "Database upgrade", "services": ["payment-service"], "description": "Short pauses."}
    maintenance |= {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()}
    requests.post(f"{base}/api/status/maintenance", headers=READ, json=maintenance, timeout=30)


LOADS = {"readers": "bench/wrk/readers.lua", "saturation": "bench/wrk/report.lua"}


def wrk(base: str, path: str, seconds: float, args, load: str) -> Result:
    """GETs of `path` under wrk (the Lua script prints the result line)."""
    argv = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{seconds:g}s", "--latency"]
    argv += ["-s", LOADS[load], base + path, "--", str(args.connections // args.wrk_threads)]
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    data = json.loads(next(line for line in out.splitlines() if line.startswith("WRK_RESULT ")).split(" ", 1)[1])
    failures = {name: data[name] for name in ("connect", "read", "write", "status", "timeout") if data[name]}
    return Result(data["requests"], data["duration_us"] / 1e6, failures, data["p50_us"] / 1000, data["p99_us"] / 1000)


def measure(label: str, base: str, args) -> None:
    """wrk on each path under each load (a few seconds of warm-up first); one line each."""
    for load in LOADS:
        for path in PATHS:
            if args.warm_up > 0:
                wrk(base, path, args.warm_up, args, load)
            result = wrk(base, path, args.readers_duration if load == "readers" else args.duration, args, load)
            verdict = "under" if result.p99_ms < TARGET_P99_MS else "OVER"
            print(
                f"{label:<21} {load:<10} {path:<12} {result.requests / result.seconds:>6.0f} req/s  "
                f"p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms ({verdict} {TARGET_P99_MS} ms)  "
                f"errors {result.errors}" + (f" {result.failures}" if result.errors else "")
            )


def run(args) -> None:
    print(
        f"wrk {args.wrk_threads} threads x {args.connections} connections, readers {args.readers_duration:g} s,"
        f" saturation {args.duration:g} s per path"
    )
    with (
        tempfile.TemporaryDirectory(prefix="incidents-status-bench-") as tmp,
        scratch_database(f"incidents_status_bench_{os.getpid()}") as url,
        ExitStack() as stack,
    ):
        tmp = Path(tmp)
        settings = env.load(
            {
                "DATABASE_URL": url,
                "CELERY_BROKER_URL": REDIS_URL,
                "INCIDENTS_CONFIG": str(ROOT / "config"),
                "INCIDENTS_VAR": str(tmp / "var"),
                "SECRET_KEY": "bench",
            }
        )
        extra = {"STATUS_PAGE_REFRESH_SECONDS": args.refresh, "GUNICORN_THREADS": args.threads}
        web, base = start_web(settings, tmp, workers=args.workers, **extra)
        stack.callback(web.stop)
        seed(base, args.incidents, args.updates)
        measure("database up", base, args)
        down = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing"
        web_down, base_down = start_web(settings, tmp, workers=args.workers, DATABASE_URL=down, **extra)
        stack.callback(web_down.stop)
        measure("database unreachable", base_down, args)
        age = requests.get(f"{base_down}/status", timeout=10).text.count("updated ")
        print(f"{'':<22} the page while unreachable shows its age: {'yes' if age else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--duration", type=float, default=10, help="seconds of saturation per path")
    parser.add_argument(
        "--readers-duration",
        type=float,
        default=110,
        help="seconds of readers per path: the 200 first loads go out together at the start, so a p99 needs"
        " 20,000 requests (100 s at 200/s) to be about the page rather than that herd",
    )
    parser.add_argument("--warm-up", type=float, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=3, help="gunicorn threads per worker")
    parser.add_argument("--refresh", type=float, default=1, help="STATUS_PAGE_REFRESH_SECONDS")
    parser.add_argument("--incidents", type=int, default=20)
    parser.add_argument("--updates", type=int, default=4)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
