"""`make run`'s embedded mode (SQLite, the file broker, the built-in page sink) under the same wrk load.

Starts `incidents up` on a fresh var folder, as a new user does, then wrk posts bench/wrk/alertmanager.lua's
bodies (16 connections by default) for `--duration` seconds. Prints throughput, p50/p99, errors (wrk counts
a request past 2 s as a timeout), how long the inbox took to drain after the load, the inbox's lag, and
how many pages the built-in sink took during the load. `python -m bench.embedded --help` lists the options.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench.load import wrk
from tests.support import ROOT, Process, free_port, wait_http

TARGETS = "no request refused, none past 2 s, p99 < 1 s (issue #15)"


def embedded_env(var: Path) -> dict:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "PROMETHEUS_MULTIPROC_DIR", "PAGERDUTY_EVENTS_URL")
        and k != "PUBLIC_URL"
    }
    return environ | {"INCIDENTS_VAR": str(var), "INCIDENTS_CONFIG": str(ROOT / "config")}


def run(args) -> bool:
    with tempfile.TemporaryDirectory(prefix="incidents-embedded-") as tmp:
        var, environ = Path(tmp) / "var", embedded_env(Path(tmp) / "var")
        subprocess.run([sys.executable, "-m", "cli.main", "db", "upgrade"], env=environ, cwd=ROOT, check=True)
        port = free_port()
        argv = [sys.executable, "-m", "cli.main", "up", "--port", str(port)]
        up = Process(argv, env=environ, log_path=Path(tmp) / "up.log")
        try:
            base = f"http://127.0.0.1:{port}"
            wait_http(f"{base}/healthz", up, timeout=60)
            time.sleep(args.settle)  # worker and beat start after the web answers
            engine = sa.create_engine(f"sqlite:///{var / 'incidents.db'}", poolclass=sa.pool.NullPool)
            started = time.time()
            result = wrk(base, "alertmanager", args.duration, args)
            ended = time.time()
            drained = drain_time(engine)
            return report(result, drained, lag(engine), pages_during(engine, started, ended))
        finally:
            up.stop()


def drain_time(engine) -> float:
    started = time.monotonic()
    with engine.connect() as conn:
        while conn.execute(sa.text("SELECT count(*) FROM raw_requests WHERE applied_at IS NULL")).scalar_one():
            conn.rollback()
            if time.monotonic() - started > 300:
                break
            time.sleep(0.05)
    return time.monotonic() - started


def lag(engine) -> list[float]:
    """Seconds from answer to application of every request, sorted."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT received_at, applied_at FROM raw_requests WHERE applied_at IS NOT NULL"))
        return sorted((_time(applied) - _time(received)) for received, applied in rows)


def _time(value) -> float:
    stamp = datetime.fromisoformat(value) if isinstance(value, str) else value
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()


def pages_during(engine, started: float, ended: float) -> int:
    """Pages the built-in sink took while the load ran."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT sent_at FROM pages WHERE status = 'sent'")).scalars().all()
    return sum(started <= _time(at) <= ended for at in rows if at is not None)


def report(result, drained: float, lags: list[float], pages: int) -> bool:
    p99_lag = lags[int(len(lags) * 0.99) - 1] if lags else 0.0
    rate = result.accepted / result.seconds
    print(
        f"embedded: requests {result.requests}  req/s {rate:.0f}  p50 {result.p50_ms:.0f} ms"
        f"  p99 {result.p99_ms:.0f} ms  errors {result.errors} {result.failures or ''}"
    )
    print(f"inbox: drained {drained:.2f} s after the load; lag p99 {p99_lag * 1000:.0f} ms over {len(lags)} requests")
    print(f"pages the built-in sink took during the load: {pages}")
    ok = result.errors == 0 and result.p99_ms < 1000
    print(f"{TARGETS}: {'OK' if ok else 'NOT MET'}")
    return ok


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.embedded", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20, help="seconds of load")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--resolved-share", type=float, default=0.1, help="share of bodies that resolve their group")
    parser.add_argument("--settle", type=float, default=5, help="seconds for worker and beat to start")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(0 if run(parse_args()) else 1)
