"""`GET /api/oncalls` for 200 schedules over 14 days, on PostgreSQL: each schedule of 3 layers x 10
participants (one layer restricted to business hours), 1,000 overrides in the database. Prints p50/p99;
target p99 < 200 ms (issue #16).

    .venv/bin/python -m bench.oncalls_api [--runs 100]

In-process (Flask's test client), so it times the view, its queries and the answer, not a network hop.
"""

import argparse
import dataclasses
import random
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from bench.incident_page import report, timed
from bench.oncall import schedule as bench_schedule
from incidents.schedules import Override
from server import collector
from server.app import create_app
from settings import env
from settings.catalog import load_catalog
from store import overrides
from store.db import create_engine
from tests.support import READ, ROOT, scratch_database

SCHEDULES, PARTICIPANTS, OVERRIDES = 200, 10, 1000
STARTED = datetime(2026, 1, 5, 9)  # every layer began on this local time, long before now


def with_schedules(catalog):
    schedules = {}
    for n in range(SCHEDULES):
        rules = bench_schedule(PARTICIPANTS)
        layers = tuple(
            dataclasses.replace(layer, start=STARTED, participants=tuple(f"s{n}-{p}" for p in layer.participants))
            for layer in rules.layers
        )
        schedules[f"schedule-{n}"] = dataclasses.replace(rules, name=f"schedule-{n}", layers=layers)
    return dataclasses.replace(catalog, schedules=schedules)


def seed(engine, now: datetime) -> None:
    rng = random.Random(7)
    with engine.begin() as conn:
        for n in range(OVERRIDES):
            start = now + timedelta(hours=rng.randrange(-48, 14 * 24))
            override = Override(f"o{n}", start, start + timedelta(hours=rng.randrange(1, 24)), now + timedelta(n))
            overrides.add(conn, f"schedule-{n % SCHEDULES}", override, by="bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    runs = parser.parse_args().runs
    with scratch_database(f"bench_oncalls_{secrets.token_hex(4)}") as url:
        settings = env.load({"DATABASE_URL": url, "INCIDENTS_CONFIG": str(ROOT / "config"), "SECRET_KEY": "bench"})
        catalog, engine = with_schedules(load_catalog(settings.config_dir)), create_engine(url)
        now = datetime.now(UTC)
        seed(engine, now)
        client = create_app(settings, catalog=catalog, engine=engine).test_client()
        collector.tune()  # as the web workers run (server/gunicorn_conf.py)
        client.environ_base.update({"HTTP_AUTHORIZATION": READ["Authorization"]})
        since, until = now.strftime("%Y-%m-%dT%H:%M:%SZ"), (now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M:%SZ")
        print(f"PostgreSQL, {SCHEDULES} schedules of 3 layers x {PARTICIPANTS} participants, {OVERRIDES} overrides")
        two_weeks = "/api/oncalls?" + urlencode({"since": since, "until": until})
        answer = client.get(two_weeks).get_json()["oncalls"]
        print(f"14 days answer {len(answer)} on-call periods")
        report("/api/oncalls, 200 schedules, 14 days", timed(client, two_weeks, runs), 200)
        report("/api/oncalls, 200 schedules, now", timed(client, "/api/oncalls", runs), 200)
        report("/api/oncalls?schedule=schedule-7, 14 days", timed(client, two_weeks + "&schedule=schedule-7", runs), 20)
        engine.dispose()


if __name__ == "__main__":
    main()
