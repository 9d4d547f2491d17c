"""GET /schedules/<name> under wrk against gunicorn on PostgreSQL: one schedule of 3 layers (weekly, 12-hour,
business hours on weekdays) with overrides over its next 14 days. Prints p50/p99; target p99 < 50 ms.

    .venv/bin/python -m bench.schedule_page [--connections 4] [--duration 10] [--overrides 40]

Signed in as a person through the auth-proxy header (WEB_AUTH_HEADER from 127.0.0.1), so every request
renders the page as a person sees it: layers, overrides, final result, the list, the forms.
"""

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from bench.intake import Result
from settings import env
from tests.support import READ, REDIS_URL, ROOT, scratch_database, start_web

SCHEDULE = "bench-primary"
TARGET_P99_MS = 50
HEADER = "X-Forwarded-User"


def schedules_yaml() -> str:
    return textwrap.dedent(f"""\
        schedules:
          - name: {SCHEDULE}
            time_zone: America/New_York
            layers:
              - {{name: weekly, start: 2026-11-30T09:00, rotation: 1 week, participants: [oncall-sre, alice]}}
              - {{name: halves, start: 2026-11-30T09:00, rotation: 12 hours, participants: [alice, sre-manager]}}
              - name: business-hours
                start: 2026-11-30T09:00
                rotation: 1 day
                participants: [sre-manager, oncall-sre, alice]
                restrictions:
                  - {{days: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00"}}
        """)


def seed(base: str, count: int) -> None:
    """`count` overrides of 1-9 hours spread over the next 14 days, through the API."""
    now, people = datetime.now(UTC), ("oncall-sre", "alice", "sre-manager")
    for n in range(count):
        start = now + timedelta(hours=n * 14 * 24 / max(count, 1))
        body = {
            "user": people[n % 3],
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1 + n % 9)).isoformat(),
        }
        answer = requests.post(f"{base}/api/schedules/{SCHEDULE}/overrides", json=body, headers=READ, timeout=10)
        answer.raise_for_status()


def wrk(url: str, seconds: float, args) -> Result:
    """GETs of the page under wrk as a signed-in person (bench/wrk/report.lua prints the result line)."""
    argv = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{seconds:g}s", "--latency"]
    argv += ["-H", f"{HEADER}: oncall-sre", "-s", "bench/wrk/report.lua", url]
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    data = json.loads(next(line for line in out.splitlines() if line.startswith("WRK_RESULT ")).split(" ", 1)[1])
    failures = {name: data[name] for name in ("connect", "read", "write", "status", "timeout") if data[name]}
    return Result(data["requests"], data["duration_us"] / 1e6, failures, data["p50_us"] / 1000, data["p99_us"] / 1000)


def run(args) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="incidents-schedule-bench-") as tmp,
        scratch_database(f"incidents_schedule_bench_{os.getpid()}") as url,
    ):
        tmp = Path(tmp)
        config = tmp / "config"
        shutil.copytree(ROOT / "config", config)
        (config / "schedules.yaml").write_text(schedules_yaml())
        settings = env.load(
            {
                "DATABASE_URL": url,
                "CELERY_BROKER_URL": REDIS_URL,
                "INCIDENTS_CONFIG": str(config),
                "INCIDENTS_VAR": str(tmp / "var"),
                "SECRET_KEY": "bench",
            }
        )
        extra = {"WEB_AUTH_HEADER": HEADER, "WEB_AUTH_PROXIES": "127.0.0.1", "GUNICORN_THREADS": args.threads}
        web, base = start_web(settings, tmp, workers=args.workers, **extra)
        try:
            seed(base, args.overrides)
            page = f"{base}/schedules/{SCHEDULE}"
            shown = requests.get(page, headers={HEADER: "oncall-sre"}, timeout=10)
            assert shown.status_code == 200 and "rota-final" in shown.text, shown.status_code
            wrk(page, args.warm_up, args)
            result = wrk(page, args.duration, args)
        finally:
            web.stop()
    verdict = "under" if result.p99_ms < TARGET_P99_MS else "OVER"
    print(
        f"GET /schedules/{SCHEDULE} (3 layers, {args.overrides} overrides; {args.workers} workers x {args.threads} "
        f"threads, wrk -c{args.connections}): {result.requests / result.seconds:.0f} req/s  p50 {result.p50_ms:.1f} ms"
        f"  p99 {result.p99_ms:.1f} ms ({verdict} {TARGET_P99_MS} ms)  errors {result.errors}"
        + (f" {result.failures}" if result.errors else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warm-up", type=float, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=3, help="gunicorn threads per worker")
    parser.add_argument("--overrides", type=int, default=40)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
