"""The fault suite's services and stacks: its own PostgreSQL and Redis (tests/faults/services.py),
gunicorn, Celery workers and beats started as `incidents serve|worker|beat`, and a fake PagerDuty."""

import dataclasses
import secrets
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from settings import env
from store.db import normalise_url
from tests.e2e.conftest import write_config
from tests.fake_pagerduty import FakePagerDuty
from tests.faults.services import Postgres, Redis
from tests.support import Process, process_env, start_web, stop_all


@pytest.fixture(scope="session")
def own_postgres():
    """A PostgreSQL cluster of the suite's own: tests stop and restart it."""
    server = Postgres()
    server.start()
    yield server
    server.remove()


@pytest.fixture(scope="session")
def own_redis():
    """A Redis of the suite's own: tests restart and flush it."""
    server = Redis()
    server.start()
    yield server
    server.remove()


@dataclasses.dataclass
class FaultStack:
    """Web, worker and beat processes on the suite's own services; `webs` are base URLs."""

    settings: env.Settings
    engine: sa.Engine
    pagerduty: FakePagerDuty
    folder: Path
    extra_env: dict
    webs: list = dataclasses.field(default_factory=list)
    processes: dict = dataclasses.field(default_factory=dict)

    @property
    def web(self) -> str:
        return self.webs[0]

    def start_web(self, name: str = "web", workers: int = 2) -> Process:
        process, base = start_web(self.settings, self.folder, workers=workers, **self._env(name))
        self.processes[name] = process
        self.webs.append(base)
        return process

    def start_worker(self, name: str = "worker", concurrency: int = 4) -> Process:
        return self._start(name, [sys.executable, "-m", "cli.main", "worker", "--concurrency", str(concurrency)])

    def start_beat(self, name: str = "beat") -> Process:
        return self._start(name, [sys.executable, "-m", "cli.main", "beat"])

    def log(self) -> str:
        return "\n".join(f"===== {name}\n{process.log()[-5000:]}" for name, process in self.processes.items())

    def stop(self) -> None:
        stop_all(self.processes.values())
        self.pagerduty.stop()
        self.engine.dispose()

    def _start(self, name: str, argv: list[str]) -> Process:
        env_ = process_env(self.settings, PUBLIC_URL=self.webs[0] if self.webs else "", **self._env(name))
        self.processes[name] = Process(argv, env=env_, log_path=self.folder / f"{name}.log")
        return self.processes[name]

    def _env(self, name: str) -> dict:
        # A var folder per process: two beats never share a schedule file, two webs their metrics folder.
        return {**self.extra_env, "INCIDENTS_VAR": str(self.folder / f"var-{name}")}


@pytest.fixture
def fault_stack(own_postgres, own_redis, tmp_path, request):
    """`fault_stack(pagerduty=..., env=..., **config)`: a fresh database and Redis prefix, the config
    of tests/e2e (level timeouts in seconds), no process yet: the test starts what it needs."""
    started = []

    def build(*, pagerduty: FakePagerDuty | None = None, env_: dict | None = None, **config) -> FaultStack:
        folder = tmp_path / f"stack{len(started)}"
        (folder / "config").mkdir(parents=True)
        write_config(folder / "config", **config)
        url = own_postgres.create_database(f"faults_{secrets.token_hex(4)}")
        settings = env.load(
            {
                "DATABASE_URL": url,
                "CELERY_BROKER_URL": own_redis.url,
                "INCIDENTS_CONFIG": str(folder / "config"),
                "INCIDENTS_VAR": str(folder / "var"),
                "SECRET_KEY": "faults-secret",
                "CELERY_BROKER_PREFIX": f"faults-{secrets.token_hex(4)}:",
            }
        )
        fake = (pagerduty or FakePagerDuty()).start()
        extra = {"PAGERDUTY_EVENTS_URL": fake.url, "INCIDENTS_TICK_SECONDS": "0.5", **(env_ or {})}
        # No pool: the test's own reads must survive the restarts it causes.
        engine = sa.create_engine(normalise_url(url), poolclass=sa.pool.NullPool)
        stack = FaultStack(settings, engine, fake, folder, extra)
        started.append(stack)
        return stack

    yield build
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for stack in started:
        if failed:
            print(stack.log())
        stack.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
