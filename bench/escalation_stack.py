"""The stack bench/escalation.py runs against: a fake PagerDuty that notes when each first trigger
arrived, and --webs web, --workers worker and --beats beat processes on a database, Redis prefix and
configuration of their own (one PagerDuty-fed service per first-level timeout in `TIMEOUTS`)."""

import ast
import dataclasses
import json
import os
import re
import secrets
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import redis
import sqlalchemy as sa

from settings import env
from tests.e2e.conftest import MANAGER_KEY, SRE_KEY, WEBHOOK_TOKEN
from tests.fake_pagerduty import FakePagerDuty
from tests.support import REDIS_URL, Process, broker_prefix, eventually, process_env, scratch_database, start_web

TIMEOUTS = (2, 3, 4, 5)  # first-level timeouts of Part 1's services, in seconds


class TimedPagerDuty(FakePagerDuty):
    """The fake PagerDuty, also noting when the first trigger of each dedup key arrived (monotonic)."""

    def __init__(self):
        super().__init__()
        self.first_trigger: dict[str, float] = {}

    def _receive(self, body: bytes):
        arrived = time.monotonic()
        status, answer = super()._receive(body)
        if status == 202 and json.loads(body).get("event_action") == "trigger":
            with self._lock:
                self.first_trigger.setdefault(answer["dedup_key"], arrived)
        return status, answer


@dataclasses.dataclass
class Stack:
    """The running service as the benchmark sees it; `folder` holds the logs."""

    engine: sa.Engine
    ports: list[int]
    fake: TimedPagerDuty
    folder: Path
    prefix: str

    def deliveries(self) -> str:
        """Delivery tasks finished, those that sent nothing, and pages that a task named but found
        already sent (or being sent), from the worker's log."""
        log = "".join(path.read_text(errors="replace") for path in self.folder.glob("worker*.log"))
        results = [
            ast.literal_eval(result)
            for result in re.findall(r"Task tasks\.page_targets\[[^\]]+\] succeeded in [^:]+: (\{[^}]*\})", log)
        ]
        idle = sum(1 for result in results if not set(result) - {"skipped"})
        skipped = sum(result.get("skipped", 0) for result in results)
        return f"{len(results)} delivery tasks ({idle} sent nothing), {skipped} named pages already sent"

    def queued(self) -> int:
        return redis.Redis.from_url(REDIS_URL).llen(f"{self.prefix}paging")


def routing_key(seconds: int) -> str:
    return f"benchescalation{seconds:02d}".ljust(32, "0")


def write_config(folder: Path, schedules: bool = False) -> None:
    """Part 2's webhook service (the default) and one PagerDuty-fed service per first-level timeout. With
    `schedules`, each level pages a schedule (the same person on call, through two layers, one restricted)."""
    services = [_service("webhooks", 3600, f"default: true\n    intake: {{bearer_token: {WEBHOOK_TOKEN}}}")]
    services += [_service(f"bench-{s}s", s, f"intake: {{integration_keys: [{routing_key(s)}]}}") for s in TIMEOUTS]
    if schedules:
        services = [text.replace("{user: oncall-sre}", "{schedule: primary}") for text in services]
        services = [text.replace("{user: sre-manager}", "{schedule: managers}") for text in services]
        (folder / "schedules.yaml").write_text(
            "schedules:\n" + _schedule("primary", "oncall-sre") + _schedule("managers", "sre-manager")
        )
    (folder / "services.yaml").write_text("services:\n" + "".join(services))
    (folder / "people.yaml").write_text(
        f"people:\n  - {{name: oncall-sre, routing_key: {SRE_KEY}}}\n"
        f"  - {{name: sre-manager, routing_key: {MANAGER_KEY}}}\n"
    )


def _schedule(name: str, person: str) -> str:
    return (
        f"  - name: {name}\n    time_zone: America/New_York\n    layers:\n"
        f"      - {{name: weekly, start: 2026-01-05T09:00, rotation: 1 week, participants: [{person}]}}\n"
        f"      - {{name: days, start: 2026-01-05T09:00, rotation: 1 day, participants: [{person}],\n"
        f"         restrictions: [{{days: [mon, tue, wed, thu, fri], from: '09:00', to: '18:00'}}]}}\n"
    )


def _service(name: str, first_timeout: int, intake: str) -> str:
    # The second level outlasts the run, so each incident gets exactly two pages.
    return (
        f"  - name: {name}\n    {intake}\n    ack_timeout: 0\n    escalation_policy:\n"
        f"      - {{targets: [{{user: oncall-sre}}], timeout: {first_timeout}s}}\n"
        f"      - {{targets: [{{user: sre-manager}}], timeout: 1 hour}}\n"
    )


@contextmanager
def stack(args):
    """Fake PagerDuty, --webs gunicorns, --workers workers and --beats beats on a database and Redis
    prefix of their own (a var folder per process: two beats never share a schedule file)."""
    with tempfile.TemporaryDirectory(prefix="incidents-bench-") as tmp, ExitStack() as stop:
        tmp, prefix = Path(tmp), f"bench-escalation-{secrets.token_hex(4)}:"
        (tmp / "config").mkdir()
        write_config(tmp / "config", schedules=getattr(args, "schedules", False))
        url = stop.enter_context(scratch_database(f"incidents_bench_escalation_{os.getpid()}"))
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        stop.enter_context(broker_prefix(prefix))
        settings = env.load(
            {
                "DATABASE_URL": engine.url.render_as_string(hide_password=False),
                "CELERY_BROKER_URL": REDIS_URL,
                "INCIDENTS_CONFIG": str(tmp / "config"),
                "INCIDENTS_VAR": str(tmp / "var"),
                "CELERY_BROKER_PREFIX": prefix,
                "SECRET_KEY": "bench",
            }
        )
        fake = TimedPagerDuty().start()
        stop.callback(fake.stop)
        extra = {"PAGERDUTY_EVENTS_URL": fake.url, "INCIDENTS_TICK_SECONDS": args.tick}
        bases = []
        for n in range(args.webs):
            web, base = start_web(settings, tmp, **extra, INCIDENTS_VAR=str(tmp / f"var-web{n}"))
            stop.callback(web.stop)
            bases.append(base)
        names = [f"worker{n}" for n in range(args.workers)] + [f"beat{n}" for n in range(args.beats)]
        for name in names:
            process = Process(
                [sys.executable, "-m", "cli.main", name.rstrip("0123456789")],
                log_path=tmp / f"{name}.log",
                env=process_env(settings, PUBLIC_URL=bases[0], **extra, INCIDENTS_VAR=str(tmp / f"var-{name}")),
            )
            stop.callback(process.stop)
        for n in range(args.workers):
            eventually(lambda n=n: " ready." in (tmp / f"worker{n}.log").read_text(errors="replace"), timeout=60)
        yield Stack(engine, [int(base.rsplit(":", 1)[1]) for base in bases], fake, tmp, prefix)
