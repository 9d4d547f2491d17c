"""Intake throughput and latency: a bare ceiling, then Alertmanager and PagerDuty against our service.

Phase C posts phase A's load to bench/ceiling_app.py under the same gunicorn command; phase A posts
Alertmanager v4 bodies (one group's 10 alerts; 50 groups, 500 alerts, ~10% resolved), phase B
PagerDuty events (500 dedup keys, ~10% resolve). Each phase measures the steady state: a short
warm-up of the same load goes first, unmeasured. The run has a database of its own; after A and B
the dedup counts the phase added are checked against what it had accepted.
`python -m bench.intake --help` lists the options.
"""

import argparse
import http.client
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from cli.main import default_web_workers
from cli.processes import gunicorn_argv
from settings import env
from tests.support import (
    REDIS_URL,
    ROOT,
    Process,
    broker_prefix,
    free_port,
    process_env,
    scratch_database,
    start_web,
    wait_http,
)

GROUPS, PER_GROUP, DEDUP_KEYS, RESOLVED_SHARE = 50, 10, 500, 0.1
ROUTING_KEY = "exampleintegrationkey00000000001"
HEADERS = {"Authorization": "Bearer example-token", "Content-Type": "application/json"}


def alertmanager_body(rng: random.Random) -> tuple[bytes, int]:
    """One group's 10 alerts, each resolved 10% of the time; (body, alerts it adds to received_count)."""
    group = rng.randrange(GROUPS)
    alerts = [
        _alert(group, index, "resolved" if rng.random() < RESOLVED_SHARE else "firing") for index in range(PER_GROUP)
    ]
    # The group stays "firing" (as Alertmanager's does while one alert fires): no incident closes,
    # so every alert of every accepted request lands on an alert row and the counts are exact.
    body = {
        "version": "4",
        "status": "firing",
        "receiver": "incidents",
        "truncatedAlerts": 0,
        "groupKey": f'{{}}:{{alertname="Bench{group}"}}',
        "groupLabels": {"alertname": f"Bench{group}"},
        "commonLabels": {"alertname": f"Bench{group}"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": alerts,
    }
    return json.dumps(body).encode(), PER_GROUP


def _alert(group: int, index: int, status: str) -> dict:
    name, instance = f"Bench{group}", f"host-{index}:9100"
    return {
        "status": status,
        "labels": {"alertname": name, "instance": instance, "severity": "warning"},
        "annotations": {"summary": f"{name} on {instance}"},
        "startsAt": "2026-11-26T14:33:41.755Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": f"{group * PER_GROUP + index:016x}",
    }


def pagerduty_body(rng: random.Random) -> tuple[bytes, int]:
    """A trigger (one alert) or, 10% of the time, a resolve (none) for one of 500 dedup keys."""
    key = f"bench-{rng.randrange(DEDUP_KEYS)}"
    if rng.random() < RESOLVED_SHARE:
        return json.dumps({"routing_key": ROUTING_KEY, "event_action": "resolve", "dedup_key": key}).encode(), 0
    payload = {"summary": f"Disk full on {key}", "source": key, "severity": "warning"}
    event = {"routing_key": ROUTING_KEY, "event_action": "trigger", "dedup_key": key, "payload": payload}
    return json.dumps(event).encode(), 1


LOADS = {"alertmanager": ("/webhooks/alertmanager", alertmanager_body), "pagerduty": ("/v2/enqueue", pagerduty_body)}


@dataclass
class Tally:
    """What senders saw: every request's latency (ms), failures by cause, what was accepted, when."""

    latencies: list[float] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)
    accepted: int = 0
    received: int = 0
    started: float = float("inf")
    ended: float = 0.0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(
            self.latencies + other.latencies,
            self.failures + other.failures,
            self.accepted + other.accepted,
            self.received + other.received,
            min(self.started, other.started),
            max(self.ended, other.ended),
        )

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[int(share * (len(ordered) - 1))] if ordered else float("nan")


def send(port: int, load: str, deadline: float, max_requests: int, seed: int) -> Tally:
    """One sender on one keep-alive connection, posting until the deadline or its request cap."""
    path, build = LOADS[load]
    rng, tally = random.Random(seed), Tally(started=time.monotonic())
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.monotonic() < deadline and len(tally.latencies) < max_requests:
        body, received = build(rng)
        started = time.perf_counter()
        failure = _post(conn, path, body)
        tally.latencies.append((time.perf_counter() - started) * 1000)
        if failure:
            tally.failures[failure] += 1
        else:
            tally.accepted, tally.received = tally.accepted + 1, tally.received + received
    conn.close()
    tally.ended = time.monotonic()
    return tally


def _post(conn: http.client.HTTPConnection, path: str, body: bytes) -> str | None:
    """None when the service accepted the body, else what went wrong."""
    try:
        conn.request("POST", path, body, HEADERS)
        response = conn.getresponse()
        response.read()
    except (OSError, http.client.HTTPException) as error:
        conn.close()  # the next request opens a new connection
        return type(error).__name__
    return None if 200 <= response.status < 300 else f"HTTP {response.status}"


def send_from_threads(port: int, load: str, threads: int, deadline: float, cap: int, seed: int) -> Tally:
    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(send, port, load, deadline, cap, seed * 1000 + i) for i in range(threads)]
        return sum((future.result() for future in futures), Tally())


def run_load(port: int, load: str, args) -> Tally:
    """`args.senders` senders spread over processes, so that one GIL does not cap the load."""
    processes = min(args.processes, args.senders)
    threads = [args.senders // processes + (i < args.senders % processes) for i in range(processes)]
    # CLOCK_MONOTONIC is system-wide on Linux: the children compare against the same deadline.
    deadline, cap = time.monotonic() + args.duration, max(1, args.max_requests // args.senders)
    with ProcessPoolExecutor(processes) as pool:
        futures = [
            pool.submit(send_from_threads, port, load, count, deadline, cap, seed) for seed, count in enumerate(threads)
        ]
        return sum((future.result() for future in futures), Tally())


def server_env(args, tmp: Path, name: str) -> dict:
    """gunicorn threads and options, and a metrics folder inside our temporary one."""
    # GUNICORN_CMD_ARGS overrides ingest/gunicorn_conf.py and adds to the `incidents serve` command line.
    return {
        "GUNICORN_THREADS": args.threads,
        "PROMETHEUS_MULTIPROC_DIR": tmp / f"metrics-{name}",
        "GUNICORN_CMD_ARGS": f"--worker-class {args.worker_class} {args.gunicorn_args}",
    }


def start_ceiling(settings, tmp: Path, args) -> tuple[Process, str]:
    """bench.ceiling_app under the very gunicorn command that `incidents serve` runs."""
    port = free_port()
    argv = gunicorn_argv(settings, host="127.0.0.1", port=port, workers=args.workers)
    argv[-1] = "bench.ceiling_app:app"  # in place of our app, every option kept
    process = Process(argv, env=process_env(settings, **server_env(args, tmp, "ceiling")), log_path=tmp / "ceiling.log")
    wait_http(f"http://127.0.0.1:{port}/healthz", process)
    return process, f"http://127.0.0.1:{port}"


@contextmanager
def serving(process: Process, base: str):
    """The port of a started server, stopped afterwards."""
    try:
        yield int(base.rsplit(":", 1)[1])
    finally:
        process.stop()


COUNTS = sa.text("""
    SELECT (SELECT count(*) FROM incidents WHERE source = :source) AS incidents,
           count(a.id) AS alerts, coalesce(sum(a.received_count), 0) AS received,
           (SELECT count(*) FROM raw_requests WHERE source = :source) AS raw_requests
    FROM alerts a JOIN incidents i ON i.id = a.incident_id WHERE i.source = :source""")


def counts(url: str, source: str):
    """What `source` has left in the database so far."""
    with sa.create_engine(url, poolclass=sa.pool.NullPool).connect() as conn:
        return conn.execute(COUNTS, {"source": source}).one()


def check(url: str, source: str, tally: Tally, before) -> bool:
    """Print what the measured phase added; True when it matches what was accepted, exactly."""
    after = counts(url, source)
    received, raw = after.received - before.received, after.raw_requests - before.raw_requests
    exact = received == tally.received and raw == tally.accepted
    print(
        f"{'':<16} db: incidents {after.incidents}, alerts {after.alerts}; this phase: sum(received_count) "
        f"+{received} (sent {tally.received}), raw_requests +{raw} (accepted {tally.accepted}): "
        f"{'OK' if exact else 'MISMATCH'}"
    )
    return exact


def report(name: str, tally: Tally, unit: str, per_request: int) -> float:
    """Print a phase's figures; returns its throughput in `unit` per second."""
    rate = tally.accepted * per_request / max(tally.ended - tally.started, 1e-9)
    errors = sum(tally.failures.values())
    print(
        f"{name:<16} requests {len(tally.latencies):>6}  {unit}/s {rate:>7.0f}  p50 {tally.percentile(0.5):6.1f} ms"
        f"  p99 {tally.percentile(0.99):6.1f} ms  errors {errors}" + (f" {dict(tally.failures)}" if errors else "")
    )
    return rate


def verdict(fraction: float, tallies: list[Tally]) -> None:
    worst_p99 = max(tally.percentile(0.99) for tally in tallies)
    errors = sum(sum(tally.failures.values()) for tally in tallies)
    print(f"ours / ceiling, alerts/s: {fraction:.2f} (target >= 0.25): {'OK' if fraction >= 0.25 else 'BELOW'}")
    print(
        f"p99 < 100 ms in A and B: {'yes' if worst_p99 < 100 else 'no'} (worst {worst_p99:.1f} ms); "
        f"errors == 0: {'yes' if errors == 0 else 'no'} ({errors})"
    )


def run(args) -> bool:
    """The three phases; True when the stored counts were exact."""
    print(
        f"gunicorn --worker-class {args.worker_class} {args.gunicorn_args}".rstrip() + f", {args.workers} "
        f"workers x {args.threads} threads; {args.senders} senders; {args.warm_up:g} s warm-up, then "
        f"{args.duration:g} s measured per phase"
    )
    with (
        tempfile.TemporaryDirectory(prefix="incidents-bench-") as tmp,
        scratch_database(f"incidents_bench_{os.getpid()}") as url,
        broker_prefix(f"incidents-bench-{os.getpid()}:") as prefix,
    ):
        tmp = Path(tmp)
        settings = env.load(
            {
                "DATABASE_URL": url,
                "CELERY_BROKER_URL": REDIS_URL,
                "CELERY_BROKER_PREFIX": prefix,
                "INCIDENTS_CONFIG": str(ROOT / "config"),
                "INCIDENTS_VAR": str(tmp / "var"),
            }
        )
        # The ceiling first, on a machine our phases have not yet left busy (autovacuum, checkpoints).
        with serving(*start_ceiling(settings, tmp, args)) as port:
            warm_up(port, "alertmanager", args)
            ceiling = report("C ceiling", run_load(port, "alertmanager", args), "alerts", PER_GROUP)
        with serving(*start_web(settings, tmp, workers=args.workers, **server_env(args, tmp, "ours"))) as port:
            warm_up(port, "alertmanager", args)
            before = counts(url, "alertmanager")
            alerts = run_load(port, "alertmanager", args)
            ours = report("A alertmanager", alerts, "alerts", PER_GROUP)
            exact = check(url, "alertmanager", alerts, before)
            warm_up(port, "pagerduty", args)
            before = counts(url, "pagerduty")
            events = run_load(port, "pagerduty", args)
            report("B pagerduty", events, "events", 1)
            exact = check(url, "pagerduty", events, before) and exact
    verdict(ours / ceiling if ceiling else 0.0, [alerts, events])
    return exact


def warm_up(port: int, load: str, args) -> None:
    """The same load for a few seconds, not measured: connections, caches and prepared statements."""
    if args.warm_up > 0:
        run_load(port, load, argparse.Namespace(**{**vars(args), "duration": args.warm_up}))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.intake",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--workers", type=int, default=default_web_workers(), help="gunicorn workers (`incidents serve`'s default)"
    )
    parser.add_argument("--threads", type=int, default=3, help="threads per gthread worker (GUNICORN_THREADS)")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class: gthread or sync")
    parser.add_argument("--gunicorn-args", default="", help='more gunicorn options, e.g. "--keep-alive 0"')
    parser.add_argument("--duration", type=float, default=10, help="seconds measured per phase")
    parser.add_argument("--warm-up", type=float, default=2, help="seconds of the same load before each phase")
    parser.add_argument("--senders", type=int, default=16, help="concurrent senders")
    parser.add_argument("--processes", type=int, default=4, help="processes the senders are spread over")
    parser.add_argument("--max-requests", type=int, default=200_000, help="requests per phase at most")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(0 if run(parse_args()) else 1)
