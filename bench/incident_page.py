"""Render times of the people's pages on PostgreSQL: the incident page with 1,000 timeline entries and
200 alerts, and the incident list with 10,000 incidents (two alerts each), searched too. Prints p50/p99;
targets p99 < 50 ms and < 100 ms.

    .venv/bin/python -m bench.incident_page [--runs 200]

In-process (Flask's test client, one signed-in session), so it times the view, its queries and the
templates, not a network hop. The page shows the newest 100 timeline entries and 50 alerts
(`?timeline=all`, `?alerts=all`: every one).
"""

import argparse
import random
import secrets
import statistics
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from server import collector
from server.app import create_app
from settings import env
from settings.catalog import load_catalog
from store.db import create_engine
from store.recording import group_hash
from store.tables import alerts, incident_lifecycle, incidents, timeline
from tests.support import ROOT, scratch_database

INCIDENTS, TIMELINE, ALERTS = 10_000, 1_000, 200


def seed(engine, catalog) -> None:
    """10,000 incidents (a third open, each with a lifecycle and two alerts), the first with 1,000 entries and
    200 alerts."""
    now, policy = datetime.now(UTC), catalog.service("production-api").plan_data
    rows = [_incident(n, now, policy) for n in range(1, INCIDENTS + 1)]
    with engine.begin() as conn:
        conn.execute(incidents.insert(), rows)
        ids = dict(conn.execute(sa.select(incidents.c.number, incidents.c.id)).all())
        conn.execute(incident_lifecycle.insert(), [_lifecycle(ids[n], n, now) for n in ids])
        first = ids[1]
        conn.execute(alerts.insert(), [_alert(first, i, now) for i in range(ALERTS)])
        # Labels the list's search looks into: `host-<n>-<i>` is in no title.
        others = [_alert(ids[n], i, now) | {"labels": _labels(n, i)} for n in ids if n > 1 for i in (0, 1)]
        conn.execute(alerts.insert(), others)
        conn.execute(timeline.insert(), [_entry(first, i, now) for i in range(TIMELINE)])
        # Statistics, as autovacuum keeps them on a database that has been up a while: without them the
        # planner's choice for the label search (trigram index or a scan) waited on autovacuum's first pass
        # over the fresh tables, somewhere in the middle of a run.
        conn.execute(sa.text("ANALYZE"))


def _incident(n: int, now: datetime, policy: dict) -> dict:
    key = f"bench:{n}"
    status = ("triggered", "acknowledged", "resolved")[n % 3] if n > 1 else "acknowledged"
    return {
        "number": n,
        "service": "production-api",
        "group_key": key,
        "group_hash": group_hash(key),
        "status": status,
        "severity": 1 + n % 4,
        "title": f"Disk almost full on db-{n}",
        "source": "alertmanager",
        "opened_at": now - timedelta(minutes=INCIDENTS - n),
        "resolved_at": now if status == "resolved" else None,
        "last_alert_at": now,
        "alert_events": 1,
        "open_token": random.getrandbits(62),
        "policy": policy,
    }


def _lifecycle(incident_id: int, n: int, now: datetime) -> dict:
    start = now - timedelta(hours=1)
    return {
        "incident_id": incident_id,
        "phase": "response",
        "phase_times": [["detection", start.isoformat()], ["response", (start + timedelta(minutes=3)).isoformat()]],
        "problem_started_at": start,
        "detected_at": start,
        "status_word": "Investigating",
        "affected": ["production-api"],
        "commander": ("alice", "oncall-sre", None)[n % 3],
        "roles": {},
        "pinned": [],
        "next_update_due_at": now - timedelta(minutes=1) if n % 5 == 0 else None,
        "breaches": ["mitigation"] if n % 7 == 0 else [],
    }


def _alert(incident_id: int, i: int, now: datetime) -> dict:
    labels = {"alertname": "DiskFull", "instance": f"db-{i}:9100", "job": "node", "pod": f"db-{i % 20}"}
    return {
        "incident_id": incident_id,
        "fingerprint": f"{i:016x}",
        "status": "firing" if i % 4 else "resolved",
        "severity": 3,
        "summary": "Disk almost full",
        "labels": labels,
        "annotations": {},
        "generator_url": "http://prometheus.example/graph",
        "starts_at": now - timedelta(hours=1),
        "first_seen": now - timedelta(hours=1),
        "last_seen": now,
        "received_count": 3,
        "insert_token": 0,
        "change_token": 0,
    }


def _labels(n: int, i: int) -> dict:
    return {"alertname": "DiskFull", "instance": f"host-{n}-{i}:9100", "job": "node", "team": ("a", "b")[n % 2]}


def _entry(incident_id: int, i: int, now: datetime) -> dict:
    kind = ("alert_firing", "note", "paged", "update")[i % 4]
    return {
        "incident_id": incident_id,
        "at": now - timedelta(seconds=TIMELINE - i),
        "kind": kind,
        "message": f"Entry {i}: {kind} on db-{i % 200}:9100",
        "data": {"fingerprint": f"{i % ALERTS:016x}"} if kind == "alert_firing" else {},
        "actor": "oncall-sre",
    }


def timed(client, path: str, runs: int) -> list[float]:
    """Milliseconds per GET of `path`, after a few warm-up requests."""
    for _ in range(5):
        assert client.get(path).status_code == 200, path
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return out


def report(name: str, times: list[float], target: float) -> None:
    cuts = statistics.quantiles(times, n=100)
    print(f"{name:<44} p50 {cuts[49]:7.1f} ms   p99 {cuts[98]:7.1f} ms   (target p99 < {target:.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    with scratch_database(f"bench_page_{secrets.token_hex(4)}") as url:
        settings = env.load({"DATABASE_URL": url, "INCIDENTS_CONFIG": str(ROOT / "config"), "SECRET_KEY": "bench"})
        catalog, engine = load_catalog(settings.config_dir), create_engine(url)
        seed(engine, catalog)
        app = create_app(settings, catalog=catalog, engine=engine)
        client = app.test_client()
        collector.tune()  # as the web workers run (server/gunicorn_conf.py)
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = "oncall-sre", True
        print(f"PostgreSQL, {INCIDENTS} incidents; INC-1 has {TIMELINE} timeline entries and {ALERTS} alerts")
        report("incident page (100 entries, 50 alerts shown)", timed(client, "/incidents/INC-1", runs), 50)
        everything = "/incidents/INC-1?timeline=all&alerts=all"
        report("incident page, all 1,000 entries, 200 alerts", timed(client, everything, runs), 50)
        report("incident list, first page", timed(client, "/incidents", runs), 100)
        filtered = "/incidents?commander=alice&page=40"
        report("incident list, commander filter, page 40", timed(client, filtered, runs), 100)
        report("incident list, search a label value", timed(client, "/incidents?q=host-4242-1", runs), 100)
        report("incident list, search name=value", timed(client, "/incidents?q=instance%3Dhost-77-0", runs), 100)
        report("incident list, search a title word", timed(client, "/incidents?q=db-4242", runs), 100)
        report("incident list, search INC number", timed(client, "/incidents?q=INC-9000", runs), 100)
        report("incident list, by severity, page 40", timed(client, "/incidents?order=severity&page=40", runs), 100)
        report("live version poll", timed(client, "/incidents/INC-1/live", runs), 50)
        engine.dispose()


if __name__ == "__main__":
    main()
