"""Helpers for tests: recorded requests, free ports, and real processes started and stopped."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import redis
import requests
import sqlalchemy as sa

from store.db import normalise_url
from store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
# Recorded from a real Alertmanager 0.25 on loopback: tests/fixtures/alertmanager-0.25/README.md.
FIXTURES = ROOT / "tests" / "fixtures" / "alertmanager-0.25"


BASE_DATABASE_URL = normalise_url(
    os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# The example config's API token (config/services.yaml): the read API asks for one.
READ = {"Authorization": "Bearer example-api-token-change-me"}


@contextmanager
def scratch_database(name: str):
    """The URL of a fresh database next to the test one, migrated to head; dropped at the end."""
    admin = sa.create_engine(BASE_DATABASE_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = sa.engine.make_url(BASE_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def broker_prefix(prefix: str):
    """A Redis key prefix of our own, so no other worker takes our tasks; its keys go at the end."""
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
        client.close()


def recorded_requests() -> list[tuple[str, dict, dict]]:
    """The six Alertmanager 0.25 captures, in order: (file name, headers, body)."""
    out = []
    for path in sorted(FIXTURES.glob("0*.json")):
        capture = json.loads(path.read_text())
        out.append((path.name, capture["request"]["headers"], capture["body"]))
    assert len(out) == 6, f"expected six recorded requests in {FIXTURES}"
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_in_thread(server) -> None:
    """Serve an http.server on a daemon thread; its shutdown() then returns within 50 ms (0.5 s by default)."""
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()


def process_env(settings, **extra) -> dict:
    """The environment a child process of ours needs for these settings."""
    environ = dict(os.environ)
    environ.update(
        {
            "DATABASE_URL": settings.database_url,
            "CELERY_BROKER_URL": settings.broker_url,
            "INCIDENTS_CONFIG": str(settings.config_dir),
            "INCIDENTS_VAR": str(settings.var_dir),
            "SECRET_KEY": settings.secret_key,
            "PYTHONUNBUFFERED": "1",
            "CELERY_BROKER_PREFIX": settings.broker_prefix,
        }
    )
    environ.update({key: str(value) for key, value in extra.items()})
    return environ


class Process:
    """A child process whose output goes to a log file; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, argv: list[str], *, env: dict, log_path: Path):
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.popen = subprocess.Popen(
            argv, env=env, stdout=self._log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
        )
        self._terminated = False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def terminate(self) -> None:
        """SIGTERM without waiting for the exit: `stop()` waits (see `stop_all`)."""
        if self.popen.poll() is None and not self._terminated:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self._terminated = True

    def stop(self, sig=signal.SIGTERM, timeout: float = 15) -> int:
        if self.popen.poll() is None:
            if sig != signal.SIGTERM or not self._terminated:
                os.killpg(self.popen.pid, sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self._log.close()
        return self.popen.returncode


def stop_all(processes) -> None:
    """Stop these processes together: each has its SIGTERM before the first is waited for, so their
    shutdowns (a web worker lingers on kept-alive connections) overlap."""
    processes = list(processes)
    for process in processes:
        process.terminate()
    for process in processes:
        process.stop()


def launch_web(settings, tmp_path: Path, *, workers: int = 2, **extra_env) -> tuple[Process, str]:
    """gunicorn serving the app, as `incidents serve` runs it, not waited for: (process, base URL)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    extra_env.setdefault("PUBLIC_URL", base)
    argv = [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", str(workers)]
    return Process(argv, env=process_env(settings, **extra_env), log_path=tmp_path / f"web-{port}.log"), base


def start_web(settings, tmp_path: Path, *, workers: int = 2, **extra_env) -> tuple[Process, str]:
    """gunicorn serving the app, as `incidents serve` runs it; returns (process, base URL) once it answers."""
    process, base = launch_web(settings, tmp_path, workers=workers, **extra_env)
    try:
        wait_http(f"{base}/healthz", process)
    except BaseException:
        process.stop()
        raise
    return process, base


def start_consumer(settings, tmp_path: Path, name: str = "consumer", **extra_env) -> "Process":
    """`incidents consume`: the inbox's consumer alone (a worker runs one too), for a web without a worker."""
    argv = [sys.executable, "-m", "cli.main", "consume"]
    return Process(argv, env=process_env(settings, **extra_env), log_path=tmp_path / f"{name}.log")


def wait_http(url: str, process: Process | None = None, timeout: float = 30) -> None:
    """Poll `url` until it answers 200; fail with the process's log if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.popen.poll() is not None:
            raise AssertionError(f"process exited with {process.popen.returncode}:\n{process.log()}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout}s:\n{process.log() if process else ''}")


def eventually(check, timeout: float = 30, interval: float = 0.1):
    """Call `check` until it returns a truthy value (returned) or the timeout passes (AssertionError)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s; last value: {last!r}")


def applying_app(settings, *, catalog=None, engine=None, **kwargs):
    """The app, whose inbox's consumer applies each stored request before the answer goes: integration
    tests read what a request did right after it. The consumer's code is the workers' own (workers/inbox.py);
    only who wakes it differs (tests/e2e runs the real worker, woken by NOTIFY)."""
    from server.app import create_app
    from settings.catalog import load_catalog
    from store.db import create_engine
    from workers.inbox import drain

    catalog = catalog or load_catalog(settings.config_dir)
    engine = engine or create_engine(settings.database_url)
    wake = lambda: drain(engine, catalog, None)  # noqa: E731
    return create_app(settings, catalog=catalog, engine=engine, wake=wake, **kwargs)


def applied_to(client, answer) -> list[str]:
    """The incidents an accepted intake request went to, as GET /api/requests/<request_id> tells them."""
    found = client.get(f"/api/requests/{answer.get_json()['request_id']}", headers=READ).get_json()
    assert found["state"] == "applied", found
    return found["incidents"]
