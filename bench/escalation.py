"""Escalation timing: second-level pages on time and once each, and the delay from webhook to first page.

Part 1 opens --incidents incidents by PagerDuty events on four services whose first level times out
after 2, 3, 4 and 5 s, waits for every second-level page, then reads lateness (sent_at - due_at) from
the page outbox and checks it against the triggers the fake PagerDuty received. Part 2 runs
Alertmanager senders (repeats of 50 groups, 5% new groups) and times each new group from its accepted
POST to its first trigger at the fake. `--webs`, `--workers` and `--beats` scale the stack out (issue
#9: 2, 3 and 2; the stack is bench/escalation_stack.py). `python -m bench.escalation --help` lists the options.
"""

import argparse
import http.client
import json
import multiprocessing
import random
import signal
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import sqlalchemy as sa

from bench.escalation_stack import TIMEOUTS, Stack, routing_key, stack
from tests.e2e.conftest import WEBHOOK_TOKEN

REPEAT_GROUPS, NEW_SHARE, PER_GROUP = 50, 0.05, 10
HEADERS = {"Authorization": f"Bearer {WEBHOOK_TOKEN}", "Content-Type": "application/json"}


def post(conn: http.client.HTTPConnection, path: str, body: bytes, headers: dict) -> float | None:
    """When (monotonic) the service accepted the body with a 2xx; None if it did not."""
    try:
        conn.request("POST", path, body, headers)
        response = conn.getresponse()
        response.read()
    except (OSError, http.client.HTTPException):
        conn.close()  # the next request opens a new connection
        return None
    return time.monotonic() if 200 <= response.status < 300 else None


def open_incidents(port: int, numbers: range) -> int:
    """Trigger one incident per number, round robin over the four services; returns failures."""
    conn, failures = http.client.HTTPConnection("127.0.0.1", port, timeout=30), 0
    for n in numbers:
        payload = {"summary": f"Bench {n}", "source": f"host-{n}", "severity": "warning"}
        event = {
            "routing_key": routing_key(TIMEOUTS[n % len(TIMEOUTS)]),
            "event_action": "trigger",
            "dedup_key": f"bench-{n}",
            "payload": payload,
        }
        failures += post(conn, "/v2/enqueue", json.dumps(event).encode(), HEADERS) is None
    conn.close()
    return failures


def pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))] if ordered else float("nan")


def spread(values: list[float]) -> str:
    return f"p50 {pct(values, 0.5):6.3f}  p99 {pct(values, 0.99):6.3f}  max {max(values, default=float('nan')):6.3f} s"


def part1(stack: Stack, args) -> None:
    """Open the incidents, wait for every second-level page, print lateness, duplicates and missing pages."""
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        failures = sum(
            pool.map(lambda k: open_incidents(stack.ports[k % len(stack.ports)], range(k, args.incidents, 8)), range(8))
        )
    print(
        f"part 1: {args.incidents} incidents posted in {time.monotonic() - started:.1f} s ({failures} refused), "
        f"first-level timeouts {TIMEOUTS} s, tick {args.tick:g} s; "
        f"{args.webs} web, {args.workers} worker, {args.beats} beat processes"
    )
    query = sa.text("SELECT count(*) FROM pages WHERE action = 'trigger' AND step = '0.1' AND status = 'sent'")
    deadline = time.monotonic() + max(TIMEOUTS) + args.wait
    while time.monotonic() < deadline:
        with stack.engine.connect() as conn:
            if conn.execute(query).scalar_one() >= args.incidents - failures:
                break
        time.sleep(0.5)
    print(
        f"  {'second-level pages all sent' if time.monotonic() < deadline else 'gave up waiting'} "
        f"{time.monotonic() - started:.1f} s after the first post; paging queue now {stack.queued()} tasks"
    )
    report_part1(stack, args.incidents - failures)


def report_part1(stack: Stack, incidents: int) -> None:
    """Lateness per level from the outbox; duplicates and missing pages from what the fake received."""
    query = sa.text("""SELECT step, status, routing_key, dedup_key, due_at < now() AS due, sent_at,
                              extract(epoch FROM created_at - due_at) AS decided,
                              extract(epoch FROM sent_at - due_at) AS late
                       FROM pages WHERE action = 'trigger'""")
    with stack.engine.connect() as conn:
        rows = conn.execute(query).all()
    for step, name in (("0.0", "level 1"), ("0.1", "level 2")):
        print(
            f"  {name}: {sum(r.step == step for r in rows):5} pages; lateness sent_at - due_at "
            f"{spread([float(r.late) for r in rows if r.step == step and r.late is not None])}"
        )
        print(f"  {'':25}decided created_at - due_at {spread([float(r.decided) for r in rows if r.step == step])}")
    sent_at = [r.sent_at for r in rows if r.sent_at is not None]
    span = (max(sent_at) - min(sent_at)).total_seconds() if sent_at else 0.0
    print(
        f"  delivered {len(sent_at)} pages in {span:.1f} s ({len(sent_at) / max(span, 1e-9):.0f}/s); "
        f"so far {stack.deliveries()}"
    )
    received = Counter(
        (e["routing_key"], e["dedup_key"]) for e in list(stack.fake.events) if e["event_action"] == "trigger"
    )
    sent = {(r.routing_key, r.dedup_key) for r in rows if r.status == "sent"}
    duplicates, missing = sum(n - 1 for n in received.values()), 2 * incidents - len(received)
    print(
        f"  duplicates {duplicates}, missing {missing} of {2 * incidents} (rows due and unsent "
        f"{sum(1 for r in rows if r.due and r.status != 'sent')}; sent but not received "
        f"{len(sent - set(received))}, received but not marked sent {len(set(received) - sent)})"
    )
    ok = pct([float(r.late) for r in rows if r.late is not None], 0.99) < 2 and duplicates == missing == 0
    print(f"  target p99 lateness < 2 s, no duplicate, none missing: {'OK' if ok else 'NOT MET'}")


def alertmanager_body(group: str) -> bytes:
    alerts = [
        {
            "status": "firing",
            "labels": {"alertname": group, "instance": f"host-{i}", "severity": "warning"},
            "annotations": {"summary": f"{group} on host-{i}"},
            "startsAt": "2026-11-26T14:33:41Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "fingerprint": f"{group}-{i}",
        }
        for i in range(PER_GROUP)
    ]
    return json.dumps(
        {
            "version": "4",
            "status": "firing",
            "receiver": "incidents",
            "groupKey": group,
            "groupLabels": {"alertname": group},
            "alerts": alerts,
        }
    ).encode()


def sender(port: int, duration: float, seed: int, rate: float = 0) -> tuple[dict[str, float], int, int]:
    """Repeats of the old groups, a new group 5% of the time: ({new group: accepted at}, requests, failures).
    `rate`: at most this many requests a second (0: each as soon as the last is answered)."""
    rng, conn = random.Random(seed), http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    new, requests, failures, deadline = {}, 0, 0, time.monotonic() + duration
    started = time.monotonic()
    while time.monotonic() < deadline:
        if rate:
            time.sleep(max(0.0, started + requests / rate - time.monotonic()))
        group = f"New{seed}x{requests}" if rng.random() < NEW_SHARE else f"Old{rng.randrange(REPEAT_GROUPS)}"
        accepted = post(conn, "/webhooks/alertmanager", alertmanager_body(group), HEADERS)
        requests, failures = requests + 1, failures + (accepted is None)
        if accepted is not None and group.startswith("New"):
            new[group] = accepted
    conn.close()
    return new, requests, failures


def senders(
    ports: list[int], threads: int, duration: float, seed: int, rate: float = 0
) -> list[tuple[dict[str, float], int, int]]:
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda i: sender(ports[i % len(ports)], duration, seed * 100 + i, rate), range(threads)))


def part2(stack: Stack, args) -> None:
    """Senders in two processes; then first page (at the fake) - webhook accepted (at the sender), per new group."""
    drain(stack, args.wait)
    sender(stack.ports[0], 0.5, -1)  # opens some of the repeated groups before the clock starts
    time.sleep(2)
    threads = [args.senders - args.senders // 2, args.senders // 2]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        each = args.rate / args.senders  # 0: as fast as answered
        futures = [pool.submit(senders, stack.ports, n, args.duration, seed, each) for seed, n in enumerate(threads)]
        results = [result for future in futures for result in future.result()]
    accepted = {group: at for new, _, _ in results for group, at in new.items()}
    requests, failures = sum(r[1] for r in results), sum(r[2] for r in results)
    print(
        f"  {args.senders} senders, {requests} Alertmanager requests in {args.duration:g} s "
        f"({requests / args.duration:.0f}/s, {failures} failed), {len(accepted)} new groups"
    )
    keys = wait_for_first_pages(stack, accepted)
    first = stack.fake.first_trigger
    delays = [first[key] - accepted[group] for group, key in keys.items() if key in first]
    print(f"  first page received - webhook accepted: {spread(delays)}; never paged {len(accepted) - len(delays)}")
    ok = pct(delays, 0.99) < 0.25 and len(delays) == len(accepted)
    print(f"  target p99 < 250 ms at half the sustained rate (issue #15): {'OK' if ok else 'NOT MET'}")


def drain(stack: Stack, timeout: float) -> None:
    """Wait for Part 1's leftover page tasks, so that Part 2 measures its own load."""
    started, queued = time.monotonic(), stack.queued()
    while stack.queued() and time.monotonic() < started + timeout:
        time.sleep(0.5)
    print(
        f"part 2: waited {time.monotonic() - started:.1f} s for the paging queue ({queued} tasks) to drain, "
        f"{stack.queued()} left; so far {stack.deliveries()}"
    )


def wait_for_first_pages(stack: Stack, accepted: dict[str, float], timeout: float = 30) -> dict[str, str]:
    """{group: dedup key of its first-level page}, once all have arrived or `timeout` passed."""
    query = sa.text("""SELECT i.group_key, p.dedup_key FROM incidents i JOIN pages p ON p.incident_id = i.id
                       WHERE i.service = 'webhooks' AND p.action = 'trigger' AND p.step = '0.0'""")
    deadline = time.monotonic() + timeout
    while True:
        with stack.engine.connect() as conn:
            keys = {group: key for group, key in conn.execute(query) if group in accepted}
        arrived = len(keys) == len(accepted) and all(key in stack.fake.first_trigger for key in keys.values())
        if arrived or time.monotonic() > deadline:
            return keys
        time.sleep(0.5)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.escalation",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--incidents", type=int, default=2000, help="part 1: incidents to escalate")
    parser.add_argument("--duration", type=float, default=10, help="part 2: seconds of Alertmanager load")
    parser.add_argument("--senders", type=int, default=12, help="part 2: concurrent senders")
    parser.add_argument(
        "--rate", type=float, default=0, help="part 2: about this many requests/s in all (0: as fast as answered)"
    )
    parser.add_argument("--tick", type=float, default=2, help="INCIDENTS_TICK_SECONDS")
    parser.add_argument("--webs", type=int, default=1, help="web (gunicorn) processes")
    parser.add_argument("--workers", type=int, default=1, help="Celery worker processes")
    parser.add_argument("--beats", type=int, default=1, help="Celery beat processes")
    parser.add_argument("--wait", type=float, default=120, help="part 1: seconds to wait for pages at most")
    parser.add_argument("--schedules", action="store_true", help="levels page schedules, not people (issue #16)")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the stack on `kill` too
    with stack(args) as running:
        part1(running, args)
        part2(running, args)


if __name__ == "__main__":
    main()
